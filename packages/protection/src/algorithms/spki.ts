import { oidName, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource } from '../internal/bytes.js';
import { webCrypto } from './parameters.js';

/** Imports a SubjectPublicKeyInfo for `verify`, failing with badAlg. */
export function importSpki(
  crypto: Crypto,
  spki: Uint8Array,
  params: RsaHashedImportParams | EcKeyImportParams | Algorithm,
  what: string,
): Promise<CryptoKey> {
  return webCrypto('badAlg', `${what} public key import`, () =>
    crypto.subtle.importKey('spki', bufferSource(spki), params, true, ['verify']),
  );
}

/** Imports an uncompressed EC point (`04 || x || y`) as an ECDSA key for `verify`, failing with badAlg. */
export function importEcPoint(crypto: Crypto, point: Uint8Array, namedCurve: string, what: string): Promise<CryptoKey> {
  return webCrypto('badAlg', `${what} public key import`, () =>
    crypto.subtle.importKey('raw', bufferSource(point), { name: 'ECDSA', namedCurve }, true, ['verify']),
  );
}

/** Refuses a key whose SPKI algorithm is not one of `accepted`. */
export function requireKeyAlgorithm(info: SubjectPublicKeyInfo, accepted: readonly string[], what: string): void {
  if (!accepted.includes(info.algorithm.algorithm)) {
    const got = oidName(info.algorithm.algorithm) ?? info.algorithm.algorithm;
    throw new ProtectionError('badAlg', `${what} cannot be used with a ${got} key`);
  }
}

/** The `hash.name` of a WebCrypto key algorithm that has one. */
export function keyHashName(key: CryptoKey): string | undefined {
  const hash = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).hash;
  return typeof hash === 'string' ? hash : hash?.name;
}
