/**
 * A minimal DER element walker for tests, written independently of the codec's DerReader, so
 * that tests can locate the expected byte ranges (header, body, certReq, ...) on their own.
 */
export interface Tlv {
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the contents. */
  end: number;
}

export function tlvAt(bytes: Uint8Array, pos: number): Tlv {
  const tag = bytes[pos];
  if (tag === undefined) throw new Error(`no element at ${pos}`);
  let p = pos + 1;
  let len = bytes[p++] ?? 0;
  if (len > 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (bytes[p++] ?? 0);
  }
  return { tag, start: pos, contentStart: p, end: p + len };
}

export function childrenOf(bytes: Uint8Array, el: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = el.contentStart; p < el.end;) {
    const c = tlvAt(bytes, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** The element reached from the top-level element by child indices. */
export function elementAt(bytes: Uint8Array, path: readonly number[]): Tlv {
  let el = tlvAt(bytes, 0);
  for (const i of path) {
    const c = childrenOf(bytes, el)[i];
    if (!c) throw new Error(`no child ${i} on path ${path.join('.')}`);
    el = c;
  }
  return el;
}

/** The full encoding of an element. */
export function slice(bytes: Uint8Array, el: Tlv): Uint8Array {
  return bytes.subarray(el.start, el.end);
}
