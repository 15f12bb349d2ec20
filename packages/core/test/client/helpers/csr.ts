import { encodeName, type Name } from '@cmpkit/codec';

/** A PKCS#10 request (RFC 2986) for an ECDSA P-256 key pair, signed with ecdsa-with-SHA256, built by hand. */
export async function makeCsr(keys: CryptoKeyPair, subject: Name): Promise<Uint8Array> {
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const info = tlv(0x30, concat(Uint8Array.of(0x02, 0x01, 0x00), encodeName(subject), spki, Uint8Array.of(0xa0, 0x00)));
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, info));
  const integer = (bytes: Uint8Array): Uint8Array => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const v = bytes.subarray(i);
    return tlv(0x02, v[0]! & 0x80 ? concat(Uint8Array.of(0), v) : v);
  };
  const signature = tlv(0x30, concat(integer(raw.subarray(0, 32)), integer(raw.subarray(32))));
  const algorithm = Uint8Array.of(0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02);
  return tlv(0x30, concat(info, algorithm, tlv(0x03, concat(Uint8Array.of(0), signature))));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function tlv(tag: number, content: Uint8Array): Uint8Array<ArrayBuffer> {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concat(Uint8Array.of(tag, ...length), content);
}
