import { ProtectionError } from '../errors/protection-error.js';
import { concat } from './bytes.js';

/**
 * A tiny strict DER walker for the few structures this package takes apart itself (certificate
 * layout, PKCS #8 header, ECDSA and RSASSA-PSS values). Full types come from the codec and from
 * `@peculiar/asn1-x509`; this only finds element boundaries so the exact bytes can be kept.
 */
export interface Tlv {
  /** Identifier octet (low-tag-number form only). */
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the last content octet. */
  end: number;
}

function malformed(what: string, detail: string): never {
  throw new ProtectionError('badDataFormat', `${what}: ${detail}`);
}

/** Reads the element at `pos`, which must end at or before `limit`. */
export function readTlv(data: Uint8Array, pos: number, limit: number, what: string): Tlv {
  if (pos + 2 > limit) malformed(what, 'truncated element');
  const tag = data[pos] as number;
  if ((tag & 0x1f) === 0x1f) malformed(what, 'high tag numbers are not supported');
  let length = data[pos + 1] as number;
  let contentStart = pos + 2;
  if (length === 0x80) malformed(what, 'indefinite length');
  if (length > 0x80) {
    const n = length & 0x7f;
    if (n > 4) malformed(what, 'length too large');
    if (contentStart + n > limit) malformed(what, 'truncated length');
    if (data[contentStart] === 0) malformed(what, 'non-minimal length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (data[contentStart + i] as number);
    if (length < 0x80) malformed(what, 'non-minimal length');
    contentStart += n;
  }
  const end = contentStart + length;
  if (end > limit) malformed(what, 'truncated contents');
  return { tag, start: pos, contentStart, end };
}

/** The single element that makes up all of `data`. */
export function readSingle(data: Uint8Array, what: string, tag?: number): Tlv {
  const tlv = readTlv(data, 0, data.length, what);
  if (tlv.end !== data.length) malformed(what, 'trailing bytes');
  if (tag !== undefined && tlv.tag !== tag) malformed(what, `expected tag 0x${tag.toString(16)}`);
  return tlv;
}

/** The elements inside a constructed element. */
export function childrenOf(data: Uint8Array, parent: Tlv, what: string): Tlv[] {
  if ((parent.tag & 0x20) === 0) malformed(what, 'not a constructed element');
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    const child = readTlv(data, pos, parent.end, what);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** The whole encoding of an element. */
export function elementBytes(data: Uint8Array, tlv: Tlv): Uint8Array {
  return data.subarray(tlv.start, tlv.end);
}

/** The content octets of an element. */
export function contentBytes(data: Uint8Array, tlv: Tlv): Uint8Array {
  return data.subarray(tlv.contentStart, tlv.end);
}

/** Dotted form of OBJECT IDENTIFIER content octets. */
export function decodeOid(content: Uint8Array, what: string): string {
  if (content.length === 0) malformed(what, 'empty OBJECT IDENTIFIER');
  let out = '';
  let value = 0;
  let big: bigint | undefined;
  let start = true;
  let first = true;
  for (const byte of content) {
    if (start && byte === 0x80) malformed(what, 'non-minimal OBJECT IDENTIFIER arc');
    if (big === undefined && value > 0x3fffffffffff) big = BigInt(value);
    if (big === undefined) value = value * 128 + (byte & 0x7f);
    else big = big * 128n + BigInt(byte & 0x7f);
    start = (byte & 0x80) === 0;
    if (!start) continue;
    const arc: number | bigint = big ?? value;
    if (first) {
      if (typeof arc === 'number') out = arc < 40 ? `0.${arc}` : arc < 80 ? `1.${arc - 40}` : `2.${arc - 80}`;
      else out = `2.${arc - 80n}`;
      first = false;
    } else {
      out += `.${arc}`;
    }
    value = 0;
    big = undefined;
  }
  if (!start) malformed(what, 'truncated OBJECT IDENTIFIER');
  return out;
}

/** An OBJECT IDENTIFIER element's dotted value. */
export function readOid(data: Uint8Array, tlv: Tlv, what: string): string {
  if (tlv.tag !== 0x06) malformed(what, 'expected an OBJECT IDENTIFIER');
  return decodeOid(contentBytes(data, tlv), what);
}

/** A small non-negative INTEGER element's value (minimal encoding required). */
export function readSmallInteger(data: Uint8Array, tlv: Tlv, what: string, tag = 0x02): number {
  if (tlv.tag !== tag) malformed(what, 'expected an INTEGER');
  const c = contentBytes(data, tlv);
  if (c.length === 0 || c.length > 6) malformed(what, 'INTEGER out of range');
  if (c.length > 1 && c[0] === 0 && ((c[1] as number) & 0x80) === 0) malformed(what, 'non-minimal INTEGER');
  if (((c[0] as number) & 0x80) !== 0) malformed(what, 'negative INTEGER');
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One DER element from its identifier octet and contents. */
export function encodeTlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = contents.length === 1 ? (contents[0] as Uint8Array) : concat(...contents);
  return concat(Uint8Array.of(tag), encodeLength(body.length), body);
}

/** A DER INTEGER from the big-endian magnitude of a non-negative number. */
export function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const trimmed = magnitude.subarray(i);
  const pad = ((trimmed[0] ?? 0) & 0x80) !== 0;
  return encodeTlv(0x02, pad ? concat(Uint8Array.of(0), trimmed) : trimmed.length ? trimmed : Uint8Array.of(0));
}
