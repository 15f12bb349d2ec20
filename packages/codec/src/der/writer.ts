import { EncodeError } from '../errors/encode-error.js';
import { encodeOid } from './oid.js';
import { Tag } from './tags.js';
import { formatGeneralizedTime, formatUTCTime } from './time.js';

const utf8 = new TextEncoder();

/**
 * An append-only DER builder in the manner of Go's cryptobyte.Builder: constructed elements take
 * a callback that writes their contents, and the writer fills in the length afterwards, so no
 * caller ever computes a length. The output is always DER.
 */
export class DerWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /**
   * The bytes written so far. When they fill at least half of the working buffer the result is a
   * view of it (one allocation per encode instead of two, at most 2x memory); otherwise a copy.
   */
  finish(): Uint8Array {
    return this.len * 2 >= this.buf.length ? this.buf.subarray(0, this.len) : this.buf.slice(0, this.len);
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private writeHeader(tag: number, length: number): void {
    this.ensure(6 + length);
    const buf = this.buf;
    buf[this.len++] = tag;
    if (length < 0x80) {
      buf[this.len++] = length;
    } else if (length < 0x100) {
      buf[this.len++] = 0x81;
      buf[this.len++] = length;
    } else if (length < 0x10000) {
      buf[this.len++] = 0x82;
      buf[this.len++] = length >> 8;
      buf[this.len++] = length & 0xff;
    } else if (length < 0x1000000) {
      buf[this.len++] = 0x83;
      buf[this.len++] = length >> 16;
      buf[this.len++] = (length >> 8) & 0xff;
      buf[this.len++] = length & 0xff;
    } else {
      buf[this.len++] = 0x84;
      buf[this.len++] = length >>> 24;
      buf[this.len++] = (length >> 16) & 0xff;
      buf[this.len++] = (length >> 8) & 0xff;
      buf[this.len++] = length & 0xff;
    }
  }

  /** Writes a constructed element `tag` whose contents `writeContents` writes. */
  constructed(tag: number, writeContents: (w: DerWriter) => void): void {
    this.ensure(2);
    this.buf[this.len++] = tag;
    const lengthAt = this.len++;
    const contentStart = this.len;
    writeContents(this);
    const length = this.len - contentStart;
    if (length < 0x80) {
      this.buf[lengthAt] = length;
      return;
    }
    const n = length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
    this.ensure(n);
    const buf = this.buf;
    buf.copyWithin(contentStart + n, contentStart, this.len);
    buf[lengthAt] = 0x80 | n;
    for (let i = n; i >= 1; i--) buf[lengthAt + i] = (length >>> ((n - i) * 8)) & 0xff;
    this.len += n;
  }

  /** A SEQUENCE. */
  sequence(writeContents: (w: DerWriter) => void): void {
    this.constructed(Tag.SEQUENCE, writeContents);
  }

  /** An EXPLICIT context tag `[n]` around what `writeContents` writes. */
  explicit(n: number, writeContents: (w: DerWriter) => void): void {
    this.constructed(0xa0 | n, writeContents);
  }

  /** A SET OF (or SET) whose elements are sorted into DER order. */
  setOf<T>(items: readonly T[], writeItem: (w: DerWriter, item: T) => void, tag: number = Tag.SET): void {
    if (items.length < 2) {
      this.constructed(tag, (w) => {
        for (const item of items) writeItem(w, item);
      });
      return;
    }
    const encoded = items.map((item) => {
      const w = new DerWriter(64);
      writeItem(w, item);
      return w.finish();
    });
    encoded.sort(compareEncodings);
    this.constructed(tag, (w) => {
      for (const e of encoded) w.raw(e);
    });
  }

  /** Bytes that are already a complete DER encoding. */
  raw(der: Uint8Array): void {
    this.ensure(der.length);
    this.buf.set(der, this.len);
    this.len += der.length;
  }

  /** A standalone SEQUENCE encoding written with the IMPLICIT tag `tag` in place of 0x30. */
  implicitSequence(tag: number, der: Uint8Array): void {
    if (der[0] !== Tag.SEQUENCE) throw new EncodeError('IMPLICIT SEQUENCE value is not a SEQUENCE');
    const at = this.len;
    this.raw(der);
    this.buf[at] = tag;
  }

  /** A primitive element with the given contents. */
  primitive(tag: number, contents: Uint8Array): void {
    this.writeHeader(tag, contents.length);
    this.buf.set(contents, this.len);
    this.len += contents.length;
  }

  /** An INTEGER from a number (a safe integer) or a bigint. */
  integer(value: number | bigint, tag: number = Tag.INTEGER): void {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new EncodeError(`INTEGER ${value} is not a safe integer`);
      if (value >= -128 && value < 128) {
        this.ensure(3);
        this.buf[this.len++] = tag;
        this.buf[this.len++] = 1;
        this.buf[this.len++] = value & 0xff;
        return;
      }
      value = BigInt(value);
    }
    this.primitive(tag, bigIntToBytes(value));
  }

  /** An ENUMERATED. */
  enumerated(value: number, tag: number = Tag.ENUMERATED): void {
    this.integer(value, tag);
  }

  /** A BOOLEAN. */
  boolean(value: boolean, tag: number = Tag.BOOLEAN): void {
    this.ensure(3);
    this.buf[this.len++] = tag;
    this.buf[this.len++] = 1;
    this.buf[this.len++] = value ? 0xff : 0;
  }

  /** A NULL. */
  null(tag: number = Tag.NULL): void {
    this.ensure(2);
    this.buf[this.len++] = tag;
    this.buf[this.len++] = 0;
  }

  /** An OCTET STRING. */
  octetString(value: Uint8Array, tag: number = Tag.OCTET_STRING): void {
    this.primitive(tag, value);
  }

  /** A BIT STRING; padding bits of the last octet are cleared. */
  bitString(bytes: Uint8Array, unusedBits = 0, tag: number = Tag.BIT_STRING): void {
    if (unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
      throw new EncodeError(`BIT STRING with ${unusedBits} unused bits`);
    }
    this.writeHeader(tag, bytes.length + 1);
    this.buf[this.len++] = unusedBits;
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    if (unusedBits !== 0) this.buf[this.len - 1] = (this.buf[this.len - 1] as number) & (0xff << unusedBits);
  }

  /** A BIT STRING with named bits: the numbers of the set bits; no trailing zero bits (DER). */
  namedBits(bits: readonly number[], tag: number = Tag.BIT_STRING): void {
    let max = -1;
    for (const bit of bits) {
      if (!Number.isInteger(bit) || bit < 0 || bit > 0xffff) throw new EncodeError(`named bit ${bit}`);
      if (bit > max) max = bit;
    }
    const bytes = new Uint8Array(max < 0 ? 0 : (max >> 3) + 1);
    for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] as number) | (0x80 >> (bit & 7));
    this.bitString(bytes, max < 0 ? 0 : 7 - (max & 7), tag);
  }

  /** An OBJECT IDENTIFIER from dotted form. */
  oid(value: string, tag: number = Tag.OBJECT_IDENTIFIER): void {
    const contents = encodeOid(value);
    if (contents === null) throw new EncodeError(`malformed OBJECT IDENTIFIER '${value}'`);
    this.primitive(tag, contents);
  }

  /** A UTF8String. */
  utf8String(value: string, tag: number = Tag.UTF8String): void {
    this.primitive(tag, utf8.encode(value));
  }

  /** An IA5String. */
  ia5String(value: string, tag: number = Tag.IA5String): void {
    this.primitive(tag, asciiBytes(value, 'IA5String'));
  }

  /** A PrintableString. */
  printableString(value: string, tag: number = Tag.PrintableString): void {
    if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) {
      throw new EncodeError(`'${value}' is not a PrintableString`);
    }
    this.primitive(tag, asciiBytes(value, 'PrintableString'));
  }

  /** A GeneralizedTime (UTC). */
  generalizedTime(value: Date, tag: number = Tag.GeneralizedTime): void {
    const year = value.getUTCFullYear();
    if (Number.isNaN(value.getTime()) || year < 0 || year > 9999) {
      throw new EncodeError('GeneralizedTime outside years 0000-9999');
    }
    this.primitive(tag, asciiBytes(formatGeneralizedTime(value), 'GeneralizedTime'));
  }

  /** A UTCTime (years 1950-2049, whole seconds). */
  utcTime(value: Date, tag: number = Tag.UTCTime): void {
    const text = Number.isNaN(value.getTime()) ? null : formatUTCTime(value);
    if (text === null) throw new EncodeError('UTCTime outside 1950-2049 or with milliseconds');
    this.primitive(tag, asciiBytes(text, 'UTCTime'));
  }
}

/**
 * Throws an {@link EncodeError} when a `SIZE (1..MAX)` list is empty: its encoding would be DER
 * that every decoder (this one included) rejects.
 */
export function requireItems(items: readonly unknown[], what: string): void {
  if (items.length === 0) throw new EncodeError(`${what} needs at least one element (SIZE (1..MAX))`);
}

function asciiBytes(value: string, type: string): Uint8Array {
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) throw new EncodeError(`${type} with a non-ASCII character`);
    out[i] = c;
  }
  return out;
}

function compareEncodings(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Minimal two's-complement big-endian bytes of `value`. */
export function bigIntToBytes(value: bigint): Uint8Array {
  if (value === 0n) return Uint8Array.of(0);
  const negative = value < 0n;
  let hex = (negative ? -value - 1n : value).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  if (negative) for (let i = 0; i < bytes.length; i++) bytes[i] = ~(bytes[i] as number) & 0xff;
  const signSet = ((bytes[0] as number) & 0x80) !== 0;
  if (signSet !== negative) {
    const extended = new Uint8Array(bytes.length + 1);
    extended[0] = negative ? 0xff : 0;
    extended.set(bytes, 1);
    bytes = extended;
  }
  return bytes;
}
