import { oids } from '../oids.js';

function hashRange(data: Uint8Array, start: number, end: number): number {
  let h = end - start;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + (data[i] as number)) | 0;
  return h;
}

/** Contents octets of every registered OID, computed once at load and never changed. */
const KNOWN_ENCODINGS: ReadonlyMap<string, Uint8Array> = new Map(
  Object.values(oids).map((oid) => [oid, computeOidContents(oid) as Uint8Array]),
);

/** Registered OIDs by a hash of their contents octets, for decoding without building strings. */
const KNOWN_BY_HASH: ReadonlyMap<number, readonly (readonly [Uint8Array, string])[]> = (() => {
  const table = new Map<number, [Uint8Array, string][]>();
  for (const [oid, bytes] of KNOWN_ENCODINGS) {
    const h = hashRange(bytes, 0, bytes.length);
    const bucket = table.get(h) ?? [];
    bucket.push([bytes, oid]);
    table.set(h, bucket);
  }
  return table;
})();

function knownOid(data: Uint8Array, start: number, end: number): string | undefined {
  const bucket = KNOWN_BY_HASH.get(hashRange(data, start, end));
  if (!bucket) return undefined;
  outer: for (const [bytes, oid] of bucket) {
    if (bytes.length !== end - start) continue;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== data[start + i]) continue outer;
    return oid;
  }
  return undefined;
}

/**
 * Decodes OBJECT IDENTIFIER contents to dotted form, or returns null when they are not minimal
 * DER (empty, a sub-identifier with a leading 0x80, or one left unfinished).
 */
export function decodeOid(data: Uint8Array, start: number, end: number): string | null {
  const known = knownOid(data, start, end);
  if (known !== undefined) return known;
  if (start >= end || (data[end - 1] as number) & 0x80) return null;
  let out = '';
  let value = 0;
  let big: bigint | null = null;
  let first = true;
  let subStart = true;
  for (let i = start; i < end; i++) {
    const b = data[i] as number;
    if (subStart && b === 0x80) return null;
    subStart = false;
    if (big !== null) big = (big << 7n) | BigInt(b & 0x7f);
    else {
      value = value * 128 + (b & 0x7f);
      if (value > 0x1fffffffffff) big = BigInt(value);
    }
    if ((b & 0x80) === 0) {
      if (first) {
        first = false;
        if (big !== null) out = `2.${big - 80n}`;
        else if (value < 40) out = `0.${value}`;
        else if (value < 80) out = `1.${value - 40}`;
        else out = `2.${value - 80}`;
      } else {
        out += `.${big !== null ? big.toString() : value}`;
      }
      value = 0;
      big = null;
      subStart = true;
    }
  }
  return out;
}

/**
 * Encodes a dotted OBJECT IDENTIFIER to its contents octets, or returns null when it is malformed.
 * The result may be shared: callers copy it, never change it.
 */
export function encodeOid(oid: string): Uint8Array | null {
  return KNOWN_ENCODINGS.get(oid) ?? computeOidContents(oid);
}

function computeOidContents(oid: string): Uint8Array | null {
  const parts = oid.split('.');
  if (parts.length < 2) return null;
  const arcs: bigint[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]*)$/.test(part)) return null;
    arcs.push(BigInt(part));
  }
  const [a0, a1] = arcs as [bigint, bigint];
  if (a0 > 2n || (a0 < 2n && a1 > 39n)) return null;
  const out: number[] = [];
  const push = (v: bigint): void => {
    const start = out.length;
    do {
      out.push(Number(v & 0x7fn) | (out.length === start ? 0 : 0x80));
      v >>= 7n;
    } while (v > 0n);
    for (let i = start, j = out.length - 1; i < j; i++, j--) {
      const t = out[i] as number;
      out[i] = out[j] as number;
      out[j] = t;
    }
  };
  push(a0 * 40n + a1);
  for (let i = 2; i < arcs.length; i++) push(arcs[i] as bigint);
  return Uint8Array.from(out);
}
