/** The few DER shapes of SubjectPublicKeyInfo and OneAsymmetricKey (RFC 5280, RFC 5958) this package reads and writes. */

import { dataError } from './errors.js';

/** One element: its tag and where its contents lie in the input. */
export interface Element {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the element at `offset` (definite lengths of at most four octets, as DER allows here). */
export function readElement(der: Uint8Array, offset: number): Element {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw dataError('truncated DER');
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw dataError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      const byte = der[contentStart + i];
      if (byte === undefined) throw dataError('truncated DER');
      length = length * 256 + byte;
    }
    contentStart += count;
    if (length < 0x80 || (count > 1 && length < 1 << (8 * (count - 1)))) throw dataError('non-minimal DER length');
  }
  const end = contentStart + length;
  if (end > der.length) throw dataError('truncated DER');
  return { tag, start: offset, contentStart, end };
}

/** The elements inside a constructed element. */
export function childrenOf(der: Uint8Array, parent: Element): Element[] {
  const children: Element[] = [];
  for (let at = parent.contentStart; at < parent.end;) {
    const child = readElement(der, at);
    children.push(child);
    at = child.end;
  }
  return children;
}

/** The one top-level element of `der`, refusing trailing bytes. */
export function single(der: Uint8Array, tag: number): Element {
  const element = readElement(der, 0);
  if (element.tag !== tag || element.end !== der.length) throw dataError('malformed DER');
  return element;
}

export function contents(der: Uint8Array, element: Element): Uint8Array {
  return der.subarray(element.contentStart, element.end);
}

function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return [0x80 | octets.length, ...octets];
}

/** Tag, length and the concatenated parts. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, p) => sum + p.length, 0);
  const head = [tag, ...lengthOctets(length)];
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let at = head.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The contents octets of an OBJECT IDENTIFIER in dotted form. */
export function oidContents(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const base128: number[] = [];
    for (let n = arc; ; n = Math.floor(n / 128)) {
      base128.unshift((n % 128) | (base128.length ? 0x80 : 0));
      if (n < 128) break;
    }
    out.push(...base128);
  }
  return Uint8Array.from(out);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
