import { oids, type AlgorithmIdentifier, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource } from '../internal/bytes.js';
import { nullParameters, requireAbsentOrNullParameters } from './parameters.js';
import { importSpki, keyHashName, requireKeyAlgorithm } from './spki.js';
import type { AlgorithmProvider, SignatureAlgorithm, SignatureKeyOptions } from './types.js';

type RsaHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const TABLE: ReadonlyArray<readonly [string, string, RsaHash, string]> = [
  [oids.sha1WithRSAEncryption, 'sha1WithRSAEncryption', 'SHA-1', oids.id_sha1],
  [oids.sha256WithRSAEncryption, 'sha256WithRSAEncryption', 'SHA-256', oids.id_sha256],
  [oids.sha384WithRSAEncryption, 'sha384WithRSAEncryption', 'SHA-384', oids.id_sha384],
  [oids.sha512WithRSAEncryption, 'sha512WithRSAEncryption', 'SHA-512', oids.id_sha512],
];

function rsaPkcs1(entry: (typeof TABLE)[number], identifier: AlgorithmIdentifier): SignatureAlgorithm {
  const [, name, hash, digestOid] = entry;
  const params = { name: 'RSASSA-PKCS1-v1_5', hash };
  return Object.freeze({
    name,
    identifier,
    hash,
    certHashAlgorithm: { algorithm: digestOid },
    weak: hash === 'SHA-1',
    importPublicKey(crypto: Crypto, spki: Uint8Array, info: SubjectPublicKeyInfo): Promise<CryptoKey> {
      requireKeyAlgorithm(info, [oids.rsaEncryption], name);
      return importSpki(crypto, spki, params, name);
    },
    async sign(crypto: Crypto, privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, bufferSource(data)));
    },
    async verify(crypto: Crypto, publicKey: CryptoKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
      try {
        return await crypto.subtle.verify('RSASSA-PKCS1-v1_5', publicKey, bufferSource(signature), bufferSource(data));
      } catch {
        return false;
      }
    },
  });
}

/**
 * RSASSA-PKCS1-v1_5 with SHA-256/384/512 (RFC 9481 section 3.1), and with SHA-1 for verifying
 * old signatures (`allowSha1`). Received identifiers may have NULL or absent parameters; cmpkit
 * writes NULL (RFC 4055 section 5). Signing keys carry their hash from import.
 */
export const rsaPkcs1Signatures: AlgorithmProvider = Object.freeze({
  name: 'rsa-pkcs1',
  signature(identifier: AlgorithmIdentifier): SignatureAlgorithm | null {
    const entry = TABLE.find(([oid]) => oid === identifier.algorithm);
    if (!entry) return null;
    requireAbsentOrNullParameters(identifier);
    return rsaPkcs1(entry, identifier);
  },
  signatureForKey(key: CryptoKey, options: SignatureKeyOptions): SignatureAlgorithm | null {
    if (key.algorithm.name !== 'RSASSA-PKCS1-v1_5') return null;
    const hash = keyHashName(key);
    const entry = TABLE.find(([, , h]) => h === hash);
    if (!entry || hash === 'SHA-1')
      throw new ProtectionError('badAlg', `cmpkit does not sign with RSASSA-PKCS1-v1_5 and ${hash ?? 'no hash'}`);
    if (options.hash && options.hash !== hash) {
      throw new ProtectionError('badAlg', `the RSA key was imported for ${hash}, not ${options.hash}; import it again with that hash`);
    }
    return rsaPkcs1(entry, { algorithm: entry[0], parameters: nullParameters() });
  },
});
