import { oids } from '@cmpkit/codec';
import { webCrypto } from '../algorithms/parameters.js';
import type { DigestAlgorithm } from '../algorithms/types.js';
import { cryptoOf } from '../crypto-options.js';
import { bufferSource, concat } from '../internal/bytes.js';
import { algorithmsOf, type AlgorithmOptions } from '../options.js';
import type { DerivationHash, KeyDerivationOptions, PasswordDerivation, PasswordKeyDeriver } from './password-key-deriver.js';

const DIGEST_OIDS: Readonly<Record<DerivationHash, string>> = {
  'SHA-1': oids.id_sha1,
  'SHA-256': oids.id_sha256,
  'SHA-384': oids.id_sha384,
  'SHA-512': oids.id_sha512,
};

/** The PasswordBasedMac key with `owf` (RFC 9810 section 5.1.3.1): synchronous where the digest has a synchronous form. */
export async function iterateDigest(
  crypto: Crypto,
  owf: DigestAlgorithm,
  secret: Uint8Array,
  salt: Uint8Array,
  iterationCount: number,
): Promise<Uint8Array> {
  const first = concat(secret, salt);
  let key: Uint8Array;
  if (owf.digestSync) {
    key = owf.digestSync(first);
    for (let i = 1; i < iterationCount; i++) key = owf.digestSync(key);
  } else {
    key = await owf.digest(crypto, first);
    for (let i = 1; i < iterationCount; i++) key = await owf.digest(crypto, key);
  }
  return key;
}

/** PBKDF2 with the injected WebCrypto. */
export async function pbkdf2(crypto: Crypto, d: Extract<PasswordDerivation, { algorithm: 'PBKDF2' }>): Promise<Uint8Array> {
  return webCrypto('badAlg', 'PBKDF2', async () => {
    const base = await crypto.subtle.importKey('raw', bufferSource(d.secret), 'PBKDF2', false, ['deriveBits']);
    const params = { name: 'PBKDF2', hash: d.prf, salt: bufferSource(d.salt), iterations: d.iterationCount };
    return new Uint8Array(await crypto.subtle.deriveBits(params, base, d.keyLength * 8));
  });
}

/**
 * Derives in the calling thread with the injected WebCrypto and algorithm registry:
 * PasswordBasedMac with the registry's digests (synchronously where the registry has a
 * synchronous digest, see `syncDigestProvider`), PBKDF2 with WebCrypto's.
 */
export function inlineKeyDeriver(options: AlgorithmOptions = {}): PasswordKeyDeriver {
  return {
    async derive(derivation) {
      const crypto = cryptoOf(options);
      if (derivation.algorithm === 'PBKDF2') return pbkdf2(crypto, derivation);
      const owf = algorithmsOf(options).digest({ algorithm: DIGEST_OIDS[derivation.owf] });
      return iterateDigest(crypto, owf, derivation.secret, derivation.salt, derivation.iterationCount);
    },
  };
}

/** The injected deriver, else the inline one over the same crypto and registry. */
export function keyDeriverOf(options: KeyDerivationOptions & AlgorithmOptions): PasswordKeyDeriver {
  return options.keyDeriver ?? inlineKeyDeriver(options);
}
