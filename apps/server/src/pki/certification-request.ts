import { encodeAlgorithmIdentifier, encodeName, parseName } from '@cmpkit/codec';
import { nodeAlgorithms } from './node-algorithms.js';

/** DER of a tag and its contents (definite length, minimal). */
function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length;
  const length =
    n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + length.length + n);
  out[0] = tag;
  out.set(length, 1);
  out.set(contents, 1 + length.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * A PKCS#10 CertificationRequest (RFC 2986) for `subject` and the key pair, signed with the
 * private key through `crypto` (so a key in a token signs on the token): what a parent CA signs
 * to certify a new CA key (`openssl x509 -req`, `openssl ca`).
 *
 * ```
 * CertificationRequestInfo ::= SEQUENCE { version INTEGER { v1(0) }, subject Name,
 *   subjectPKInfo SubjectPublicKeyInfo, attributes [0] Attributes }
 * CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature BIT STRING }
 * ```
 */
export async function createCertificationRequest(subject: string, keys: CryptoKeyPair, crypto: Crypto): Promise<Uint8Array> {
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const info = tlv(0x30, concat([Uint8Array.of(0x02, 0x01, 0x00), encodeName(parseName(subject)), spki, Uint8Array.of(0xa0, 0x00)]));
  const algorithm = nodeAlgorithms.signatureForKey(keys.privateKey);
  const signature = await algorithm.sign(crypto, keys.privateKey, info);
  return tlv(0x30, concat([info, encodeAlgorithmIdentifier(algorithm.identifier), tlv(0x03, concat([Uint8Array.of(0), signature]))]));
}
