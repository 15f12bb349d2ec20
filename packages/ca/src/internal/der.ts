/**
 * The few DER pieces this package writes or checks by hand: minimal INTEGER contents, an INTEGER
 * TLV, and a strict TLV walker for the extension values whose exact bytes are kept.
 */

/** The minimal two's complement contents octets of a non-negative INTEGER. */
export function integerContents(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('negative INTEGER');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Minimal INTEGER contents from unsigned big-endian magnitude bytes (leading zeros dropped). */
export function unsignedIntegerContents(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  if (body.length === 0) return Uint8Array.of(0);
  if ((body[0] as number) & 0x80) {
    const out = new Uint8Array(body.length + 1);
    out.set(body, 1);
    return out;
  }
  return body.slice();
}

/** The unsigned value of big-endian bytes. */
export function bigintOf(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** A DER INTEGER (tag, length, contents) for a non-negative value. */
export function encodeInteger(value: bigint): Uint8Array {
  return tlv(0x02, integerContents(value));
}

/** Tag, DER length and contents. */
export function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else {
    const len: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) len.unshift(v & 0xff);
    header = [tag, 0x80 | len.length, ...len];
  }
  const out = new Uint8Array(header.length + n);
  out.set(header, 0);
  out.set(contents, header.length);
  return out;
}

/** One element read by {@link readTlv}. */
export interface Tlv {
  tag: number;
  contents: Uint8Array;
  /** Offset just past the element. */
  end: number;
}

/**
 * Reads the element at `offset` of `bytes`, refusing what is not DER: high tag numbers,
 * indefinite and non-minimal lengths, and elements running past the end. Returns null on any of
 * those.
 */
export function readTlv(bytes: Uint8Array, offset: number): Tlv | null {
  if (offset + 2 > bytes.length) return null;
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) return null;
  let length = bytes[offset + 1] as number;
  let pos = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || pos + count > bytes.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[pos + i] as number);
    if (bytes[pos] === 0 || length < 0x80) return null;
    pos += count;
  }
  if (pos + length > bytes.length) return null;
  return { tag, contents: bytes.subarray(pos, pos + length), end: pos + length };
}

/**
 * The elements of a SEQUENCE given as its complete DER, or null when `der` is not exactly one
 * well-formed SEQUENCE.
 */
export function readSequenceElements(der: Uint8Array): Tlv[] | null {
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) return null;
  const items: Tlv[] = [];
  for (let pos = 0; pos < outer.contents.length;) {
    const item = readTlv(outer.contents, pos);
    if (!item) return null;
    items.push(item);
    pos = item.end;
  }
  return items;
}

/** A fresh ArrayBuffer holding a copy of `bytes` (what the @peculiar classes expect). */
export function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `bytes` typed as WebCrypto's BufferSource (cmpkit never hands out shared memory). */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

/** The concatenation of `parts`. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
