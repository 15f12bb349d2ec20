import { oids, type AlgorithmIdentifier, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource } from '../internal/bytes.js';
import { requireAbsentParameters, webCrypto } from './parameters.js';
import { requireKeyAlgorithm } from './spki.js';
import type { AlgorithmProvider, SignatureAlgorithm, SignatureKeyOptions } from './types.js';

/** The ML-DSA parameter sets (FIPS 204) by their WebCrypto names. */
export type MlDsaName = 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';

/** RFC 9881 section 2: the OIDs of pure ML-DSA, which name key and signature alike. */
export const ML_DSA_OIDS: Readonly<Record<MlDsaName, string>> = Object.freeze({
  'ML-DSA-44': oids.id_ml_dsa_44,
  'ML-DSA-65': oids.id_ml_dsa_65,
  'ML-DSA-87': oids.id_ml_dsa_87,
});

const NAMES: ReadonlyMap<string, MlDsaName> = new Map(Object.entries(ML_DSA_OIDS).map(([name, oid]) => [oid, name as MlDsaName]));

/** A hint for the error a provider without ML-DSA gives. */
const PROVIDER_HINT = 'the WebCrypto provider must offer ML-DSA (Node 24.7+, or withPostQuantum from @cmpkit/pq-crypto)';

function mlDsa(name: MlDsaName): SignatureAlgorithm {
  const oid = ML_DSA_OIDS[name];
  return Object.freeze({
    name,
    identifier: { algorithm: oid },
    hash: undefined,
    // ML-DSA names no hash: a certConf for a certificate it signed carries hashAlg (RFC 9810 5.3.18).
    certHashAlgorithm: undefined,
    weak: false,
    async importPublicKey(crypto: Crypto, spki: Uint8Array, info: SubjectPublicKeyInfo): Promise<CryptoKey> {
      requireKeyAlgorithm(info, [oid], name);
      requireAbsentParameters(info.algorithm);
      return webCrypto('badAlg', `${name} public key import (${PROVIDER_HINT})`, () =>
        crypto.subtle.importKey('spki', bufferSource(spki), { name }, true, ['verify']),
      );
    },
    async sign(crypto: Crypto, privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(
        await webCrypto('badAlg', `${name} signing (${PROVIDER_HINT})`, () => crypto.subtle.sign({ name }, privateKey, bufferSource(data))),
      );
    },
    async verify(crypto: Crypto, publicKey: CryptoKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
      try {
        return await crypto.subtle.verify({ name }, publicKey, bufferSource(signature), bufferSource(data));
      } catch {
        return false;
      }
    },
  });
}

/** The ML-DSA name of a WebCrypto key, if it is one. */
export function mlDsaNameOfKey(key: CryptoKey): MlDsaName | undefined {
  const name = key.algorithm.name.toUpperCase();
  return (Object.keys(ML_DSA_OIDS) as MlDsaName[]).find((n) => n === name);
}

/**
 * ML-DSA-44, ML-DSA-65 and ML-DSA-87 (FIPS 204, pure mode, empty context) as RFC 9881 puts them
 * in X.509 and RFC 9882 in CMS: the OID names key and signature, parameters absent, the signature
 * is the raw FIPS 204 encoding. Works with any WebCrypto that offers the algorithms by these
 * names (the WICG Modern Algorithms API); on Node 20 wrap the crypto with `withPostQuantum`
 * from `@cmpkit/pq-crypto`.
 */
export const mlDsaSignatures: AlgorithmProvider = Object.freeze({
  name: 'ml-dsa',
  signature(identifier: AlgorithmIdentifier): SignatureAlgorithm | null {
    const name = NAMES.get(identifier.algorithm);
    if (!name) return null;
    requireAbsentParameters(identifier);
    return mlDsa(name);
  },
  signatureForKey(key: CryptoKey, options: SignatureKeyOptions): SignatureAlgorithm | null {
    const name = mlDsaNameOfKey(key);
    if (!name) return null;
    if (options.hash) throw new ProtectionError('badAlg', `${name} takes no hash choice`);
    return mlDsa(name);
  },
});
