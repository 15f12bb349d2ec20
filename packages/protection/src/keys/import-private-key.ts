import { decodeAlgorithmIdentifier, decodePem, encodeAlgorithmIdentifier, oids, oidName, type AlgorithmIdentifier } from '@cmpkit/codec';
import { namedCurveOf } from '../algorithms/ecdsa.js';
import { nullParameters } from '../algorithms/parameters.js';
import type { Sha2Name } from '../algorithms/types.js';
import { cryptoOf, type CryptoOptions } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource, concat } from '../internal/bytes.js';
import { childrenOf, elementBytes, encodeTlv, readSingle } from '../internal/der.js';

/**
 * Anything with Node's `KeyObject.export` shape. Matched by duck typing, so this package never
 * imports a Node module.
 */
export interface KeyObjectLike {
  export(options: { format: 'der'; type: 'pkcs8' }): Uint8Array;
}

/**
 * A private key in any form {@link importPrivateKey} takes: a WebCrypto CryptoKey (returned as
 * is), PKCS #8 DER, a PEM string with a `PRIVATE KEY` block, or a Node KeyObject.
 */
export type PrivateKeyInput = CryptoKey | Uint8Array | string | KeyObjectLike;

/** Options of {@link importPrivateKey}. */
export interface ImportPrivateKeyOptions extends CryptoOptions {
  /** The hash an RSA key is bound to (WebCrypto binds it at import). Default `SHA-256`. */
  hash?: Sha2Name;
  /** The scheme of an `rsaEncryption` key. Default PKCS #1 v1.5; id-RSASSA-PSS keys are always PSS. */
  rsa?: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS';
  /** Whether the CryptoKey may be exported again. Default false. */
  extractable?: boolean;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return (
    typeof value === 'object' && value !== null && 'algorithm' in value && 'usages' in value && 'extractable' in value && 'type' in value
  );
}

function isKeyObjectLike(value: unknown): value is KeyObjectLike {
  return (
    typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && typeof (value as KeyObjectLike).export === 'function'
  );
}

function pkcs8FromPem(text: string): Uint8Array {
  const blocks = decodePem(text);
  const block = blocks.find((b) => b.label === 'PRIVATE KEY');
  if (block) return block.der;
  const labels = blocks.map((b) => b.label);
  if (labels.includes('ENCRYPTED PRIVATE KEY')) {
    throw new ProtectionError('badDataFormat', 'key import: encrypted PKCS #8 is not supported; decrypt it first');
  }
  if (labels.some((l) => l === 'EC PRIVATE KEY' || l === 'RSA PRIVATE KEY')) {
    throw new ProtectionError('badDataFormat', 'key import: convert the key to PKCS #8 (openssl pkcs8 -topk8 -nocrypt)');
  }
  throw new ProtectionError('badDataFormat', 'key import: no PRIVATE KEY PEM block');
}

/** The privateKeyAlgorithm of PKCS #8 PrivateKeyInfo (RFC 5958), with the byte range it occupies. */
function pkcs8Algorithm(der: Uint8Array): { algorithm: AlgorithmIdentifier; start: number; end: number } {
  try {
    const info = readSingle(der, 'PrivateKeyInfo', 0x30);
    const [version, algorithm] = childrenOf(der, info, 'PrivateKeyInfo');
    if (!version || version.tag !== 0x02 || !algorithm) throw new ProtectionError('badDataFormat', 'not PKCS #8');
    return { algorithm: decodeAlgorithmIdentifier(elementBytes(der, algorithm)), start: algorithm.start, end: algorithm.end };
  } catch (e) {
    throw new ProtectionError('badDataFormat', 'key import: not a PKCS #8 PrivateKeyInfo', e);
  }
}

async function importPkcs8(crypto: Crypto, der: Uint8Array, options: ImportPrivateKeyOptions): Promise<CryptoKey> {
  const { algorithm, start, end } = pkcs8Algorithm(der);
  const extractable = options.extractable ?? false;
  const attempt = async (data: Uint8Array, params: RsaHashedImportParams | EcKeyImportParams | Algorithm): Promise<CryptoKey> =>
    crypto.subtle.importKey('pkcs8', bufferSource(data), params, extractable, ['sign']);
  const hash = options.hash ?? 'SHA-256';
  try {
    switch (algorithm.algorithm) {
      case oids.rsaEncryption:
        return await attempt(der, { name: options.rsa ?? 'RSASSA-PKCS1-v1_5', hash });
      case oids.id_RSASSA_PSS: {
        // WebCrypto providers differ on id-RSASSA-PSS; the RSAPrivateKey inside is the same.
        const rsa = encodeAlgorithmIdentifier({ algorithm: oids.rsaEncryption, parameters: nullParameters() });
        const body = concat(der.subarray(readSingle(der, 'PrivateKeyInfo').contentStart, start), rsa, der.subarray(end));
        const rewrapped = encodeTlv(0x30, body);
        return await attempt(rewrapped, { name: 'RSA-PSS', hash });
      }
      case oids.id_ecPublicKey:
        return await attempt(der, {
          name: 'ECDSA',
          namedCurve: namedCurveOf({ algorithm, subjectPublicKey: new Uint8Array(0) }),
        } as EcKeyImportParams);
      case oids.id_Ed25519:
      case oids.id_Ed448: {
        const curve = algorithm.algorithm === oids.id_Ed25519 ? 'Ed25519' : 'Ed448';
        try {
          return await attempt(der, { name: curve });
        } catch (e) {
          try {
            return await attempt(der, { name: 'EdDSA', namedCurve: curve } as EcKeyImportParams);
          } catch {
            throw e;
          }
        }
      }
      case oids.id_ml_dsa_44:
      case oids.id_ml_dsa_65:
      case oids.id_ml_dsa_87: {
        const name =
          algorithm.algorithm === oids.id_ml_dsa_44 ? 'ML-DSA-44' : algorithm.algorithm === oids.id_ml_dsa_65 ? 'ML-DSA-65' : 'ML-DSA-87';
        return await attempt(der, { name });
      }
      default:
        throw new ProtectionError('badAlg', `key import: unsupported key algorithm ${oidName(algorithm.algorithm) ?? algorithm.algorithm}`);
    }
  } catch (e) {
    if (e instanceof ProtectionError) throw e;
    throw new ProtectionError('badAlg', `key import: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

/**
 * Imports a signing key as a non-extractable WebCrypto CryptoKey with usage `sign`: PKCS #8 DER,
 * PEM (`-----BEGIN PRIVATE KEY-----`), a Node `KeyObject` (through its `export` method) or a
 * CryptoKey (returned unchanged). RSA keys are bound to `options.hash` (default SHA-256) and to
 * PKCS #1 v1.5 unless `options.rsa` is `RSA-PSS`; EC keys to their named curve. ML-DSA keys (RFC 9881
 * private key formats) need a WebCrypto with ML-DSA (`withPostQuantum` of `@cmpkit/pq-crypto`).
 *
 * @throws ProtectionError badDataFormat (not a PKCS #8 key) or badAlg (unsupported key type).
 */
export async function importPrivateKey(input: PrivateKeyInput, options: ImportPrivateKeyOptions = {}): Promise<CryptoKey> {
  if (isCryptoKey(input)) {
    if (input.type !== 'private') throw new ProtectionError('badAlg', 'key import: not a private key');
    return input;
  }
  const crypto = cryptoOf(options);
  if (typeof input === 'string') return importPkcs8(crypto, pkcs8FromPem(input), options);
  if (input instanceof Uint8Array) return importPkcs8(crypto, input, options);
  if (isKeyObjectLike(input)) return importPkcs8(crypto, new Uint8Array(input.export({ format: 'der', type: 'pkcs8' })), options);
  throw new ProtectionError('badDataFormat', 'key import: unsupported key input');
}
