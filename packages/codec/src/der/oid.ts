/**
 * Decodes OBJECT IDENTIFIER contents to dotted form, or returns null when they are not minimal
 * DER (empty, a sub-identifier with a leading 0x80, or one left unfinished).
 */
export function decodeOid(data: Uint8Array, start: number, end: number): string | null {
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

/** Encodes a dotted OBJECT IDENTIFIER to its contents octets, or returns null when it is malformed. */
export function encodeOid(oid: string): Uint8Array | null {
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
    const tmp: number[] = [Number(v & 0x7fn)];
    v >>= 7n;
    while (v > 0n) {
      tmp.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    for (let i = tmp.length - 1; i >= 0; i--) out.push(tmp[i] as number);
  };
  push(a0 * 40n + a1);
  for (let i = 2; i < arcs.length; i++) push(arcs[i] as bigint);
  return Uint8Array.from(out);
}
