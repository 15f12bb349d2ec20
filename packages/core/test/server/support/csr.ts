// A PKCS#10 CertificationRequest (RFC 2986) built with WebCrypto and the codec's Name and
// SubjectPublicKeyInfo encoders, signed with sha256WithRSAEncryption or ecdsa-with-SHA256.
import { encodeName, parseName } from '@cmpkit/codec';

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const body = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array([tag, ...length(body), ...new Uint8Array(body)]);
  let at = out.length - body;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const SHA256_WITH_RSA = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00);
const ECDSA_WITH_SHA256 = Uint8Array.of(0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02);

function derInteger(unsigned: Uint8Array): Uint8Array {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const v = unsigned.subarray(i);
  return tlv(0x02, (v[0] as number) & 0x80 ? Uint8Array.of(0, ...v) : v);
}

/** What {@link buildCsr} may put into the request besides subject and key. */
export interface CsrOptions {
  /** The version INTEGER's contents; default 0 (v1). */
  version?: number;
  /** DER Extensions for an extensionRequest attribute (RFC 2985 section 5.4.2). */
  extensions?: Uint8Array;
}

const EXTENSION_REQUEST = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e);

/** A DER PKCS#10 request for `subject` with `keyPair` (RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256). */
export async function buildCsr(keyPair: CryptoKeyPair, subject: string, options: CsrOptions = {}): Promise<Uint8Array> {
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
  const attributes = options.extensions ? tlv(0xa0, tlv(0x30, EXTENSION_REQUEST, tlv(0x31, options.extensions))) : tlv(0xa0);
  const version = tlv(0x02, Uint8Array.of((options.version ?? 0) & 0xff));
  const info = tlv(0x30, version, encodeName(parseName(subject)), spki, attributes);
  const rsa = keyPair.privateKey.algorithm.name === 'RSASSA-PKCS1-v1_5';
  const raw = new Uint8Array(
    await crypto.subtle.sign(rsa ? 'RSASSA-PKCS1-v1_5' : { name: 'ECDSA', hash: 'SHA-256' }, keyPair.privateKey, info),
  );
  const signature = rsa ? raw : tlv(0x30, derInteger(raw.subarray(0, raw.length / 2)), derInteger(raw.subarray(raw.length / 2)));
  return tlv(0x30, info, rsa ? SHA256_WITH_RSA : ECDSA_WITH_SHA256, tlv(0x03, Uint8Array.of(0), signature));
}
