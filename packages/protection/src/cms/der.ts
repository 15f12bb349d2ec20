import { concat } from '../internal/bytes.js';
import { ProtectionError } from '../errors/protection-error.js';

/**
 * A minimal DER toolkit for the CMS layer: length-correct element building (so nothing computes a
 * length by hand), SET OF sorting, and a TLV walker that hands back the exact bytes of nested
 * elements (certificates, signed attributes, private keys) so they are never re-encoded.
 * Internal; the typed CMS structures come from `@peculiar/asn1-cms`.
 */

export const TAG = Object.freeze({
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
});

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One element: identifier octet, definite length, contents. */
export function tlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = concat(...contents);
  return concat(Uint8Array.of(tag), encodeLength(body.length), body);
}

/** SEQUENCE of the given encoded elements. */
export function sequence(...elements: readonly Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, ...elements);
}

/** SET OF the given encoded elements, sorted as DER requires (X.690 11.6). */
export function setOf(elements: readonly Uint8Array[], tag: number = TAG.SET): Uint8Array {
  return tlv(tag, ...[...elements].sort(compareBytes));
}

/** OCTET STRING. */
export function octetString(value: Uint8Array, tag: number = TAG.OCTET_STRING): Uint8Array {
  return tlv(tag, value);
}

/** INTEGER from a non-negative magnitude (big-endian, any leading zeros). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let body = magnitude.subarray(i);
  if (body.length === 0) body = Uint8Array.of(0);
  if ((body[0] as number) & 0x80) body = concat(Uint8Array.of(0), body);
  return tlv(TAG.INTEGER, body);
}

/** INTEGER from a small non-negative number. */
export function smallInteger(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return unsignedInteger(Uint8Array.from(bytes));
}

/** OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const first = arcs[0];
  const second = arcs[1];
  if (first === undefined || second === undefined) throw new TypeError(`protection: bad OID ${dotted}`);
  const body: number[] = [];
  for (const arc of [first * 40n + second, ...arcs.slice(2)]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) chunk.unshift(Number(n & 0x7fn) | 0x80);
    body.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(body));
}

/** AlgorithmIdentifier with optional parameters (already encoded). */
export function algorithmIdentifier(algorithm: string, parameters?: Uint8Array): Uint8Array {
  return parameters ? sequence(oid(algorithm), parameters) : sequence(oid(algorithm));
}

/** `[n] EXPLICIT` wrapper. */
export function explicit(n: number, element: Uint8Array): Uint8Array {
  return tlv(0xa0 | n, element);
}

/** Re-tags an encoded element (IMPLICIT tagging of an existing encoding). */
export function retag(element: Uint8Array, tag: number): Uint8Array {
  const copy = element.slice();
  copy[0] = tag;
  return copy;
}

/** A decoded element header and where its parts lie. */
export interface Element {
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first contents octet. */
  contentStart: number;
  /** Offset just past the contents (before end-of-contents octets for indefinite lengths). */
  contentEnd: number;
  /** Offset just past the whole element. */
  end: number;
}

function malformed(what: string): never {
  throw new ProtectionError('badDataFormat', `malformed ${what}`);
}

const MAX_DEPTH = 64;

/**
 * Reads the element at `offset`. Accepts BER definite and indefinite lengths (CMS content from
 * other tools may be BER); refuses high tag numbers and lengths past the input.
 */
export function readElement(bytes: Uint8Array, offset: number, what: string, depth = 0): Element {
  if (depth > MAX_DEPTH) malformed(`${what} (nested too deeply)`);
  const tag = bytes[offset];
  if (tag === undefined) malformed(`${what} (truncated)`);
  if ((tag & 0x1f) === 0x1f) malformed(`${what} (high tag number)`);
  let at = offset + 1;
  const first = bytes[at++];
  if (first === undefined) malformed(`${what} (truncated)`);
  if (first === 0x80) {
    if ((tag & 0x20) === 0) malformed(`${what} (indefinite primitive)`);
    let cursor = at;
    for (;;) {
      if (bytes[cursor] === 0 && bytes[cursor + 1] === 0) {
        return { tag, start: offset, contentStart: at, contentEnd: cursor, end: cursor + 2 };
      }
      cursor = readElement(bytes, cursor, what, depth + 1).end;
    }
  }
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count > 4) malformed(`${what} (length too large)`);
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[at++];
      if (b === undefined) malformed(`${what} (truncated)`);
      length = length * 256 + b;
    }
  }
  const end = at + length;
  if (end > bytes.length) malformed(`${what} (truncated)`);
  return { tag, start: offset, contentStart: at, contentEnd: end, end };
}

/** The elements inside a constructed element (or inside `bytes` from `start` to `end`). */
export function childrenOf(bytes: Uint8Array, parent: Element, what: string): Element[] {
  const out: Element[] = [];
  for (let at = parent.contentStart; at < parent.contentEnd;) {
    const child = readElement(bytes, at, what);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** Parses `bytes` as exactly one element and returns it with its children (none when primitive). */
export function topLevel(bytes: Uint8Array, what: string): { element: Element; children: Element[] } {
  const element = readElement(bytes, 0, what);
  if (element.end !== bytes.length) malformed(`${what} (trailing data)`);
  return { element, children: element.tag & 0x20 ? childrenOf(bytes, element, what) : [] };
}

/** The exact bytes of an element. */
export function bytesOf(bytes: Uint8Array, element: Element): Uint8Array {
  return bytes.subarray(element.start, element.end);
}

/** The contents octets of an element. */
export function contentsOf(bytes: Uint8Array, element: Element): Uint8Array {
  return bytes.subarray(element.contentStart, element.contentEnd);
}

/** Dotted text of OBJECT IDENTIFIER contents octets. */
export function oidText(contents: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of contents) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}
