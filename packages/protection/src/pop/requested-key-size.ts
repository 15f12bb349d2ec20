import { oids, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { childrenOf, readSingle } from '../internal/der.js';

/** The largest RSA modulus a requested key may have; WebCrypto providers refuse larger ones. */
export const MAX_REQUESTED_RSA_BITS = 16384;

/**
 * Refuses a requested RSA key (a CertTemplate's or a PKCS #10 request's) whose modulus is longer
 * than {@link MAX_REQUESTED_RSA_BITS}, before any import is tried: such a key is a problem of the
 * request's content, not of its proof of possession (RFC 9483 section 4.1.1).
 *
 * @throws ProtectionError badCertTemplate.
 */
export function checkRequestedKeySize(info: SubjectPublicKeyInfo, what: string): void {
  const oid = info.algorithm.algorithm;
  if (oid !== oids.rsaEncryption && oid !== oids.id_RSASSA_PSS) return;
  const key = info.subjectPublicKey;
  let modulus: { contentStart: number; end: number } | undefined;
  try {
    [modulus] = childrenOf(key, readSingle(key, what, 0x30), what);
  } catch (e) {
    throw new ProtectionError('badCertTemplate', `${what}: the RSA public key is malformed`, e);
  }
  if (!modulus) throw new ProtectionError('badCertTemplate', `${what}: the RSA public key is malformed`);
  let start = modulus.contentStart;
  while (start < modulus.end && key[start] === 0) start++;
  const bits = start === modulus.end ? 0 : (modulus.end - start - 1) * 8 + (32 - Math.clz32(key[start] as number));
  if (bits > MAX_REQUESTED_RSA_BITS) {
    throw new ProtectionError(
      'badCertTemplate',
      `${what}: an RSA key of ${bits} bits is above the ${MAX_REQUESTED_RSA_BITS} bits accepted`,
    );
  }
}
