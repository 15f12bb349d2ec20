import { DerError, type DerErrorKind } from '../errors/der-error.js';
import { decodeOid } from './oid.js';
import { Tag, describeTag } from './tags.js';
import { decodeGeneralizedTime, decodeUTCTime } from './time.js';

/** Limits every decode enforces. All have safe defaults. */
export interface DecodeLimits {
  /** Largest input accepted, in bytes. Default 1 MiB. */
  maxBytes: number;
  /** Deepest nesting of constructed elements. Default 64. */
  maxDepth: number;
  /** Most elements (TLVs) in one input. Default 100 000. */
  maxElements: number;
}

/** Options of the public `decode*` functions. */
export interface DecodeOptions {
  /** Largest input accepted, in bytes. Default 1 MiB; NaN means the default. */
  maxBytes?: number;
  /**
   * Deepest nesting of constructed elements. Default 64; values above 1000 are lowered to 1000
   * (deeper recursion could exhaust the call stack); NaN means the default.
   */
  maxDepth?: number;
  /** Most elements (TLVs) in one input. Default 100 000. */
  maxElements?: number;
}

/**
 * The deepest nesting any decode accepts, whatever `maxDepth` asks for. The decoders recurse
 * once per constructed level (a `nested` body contains whole PKIMessages), so an unbounded depth
 * would let a hostile input overflow the call stack (a RangeError instead of a DerError).
 */
export const MAX_DEPTH_LIMIT = 1000;

/** A limit from the options: the default when absent or NaN, else clamped to [0, max]. */
function limitOf(value: number | undefined, fallback: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || Number.isNaN(value)) return fallback;
  return Math.min(Math.max(0, Math.floor(value)), max);
}

export const DEFAULT_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxBytes: 1 << 20,
  maxDepth: 64,
  maxElements: 100_000,
});

/** Per-decode mutable state shared by every reader of one input. */
interface DecodeState {
  readonly limits: DecodeLimits;
  elements: number;
}

/** A BIT STRING as it is on the wire: its bytes and the count of unused bits in the last one. */
export interface BitString {
  bytes: Uint8Array;
  unusedBits: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A cursor over the contents of one DER element, in the manner of Go's cryptobyte.String: each
 * `read`/typed method consumes one element from the front, checks it is DER, and fails with a
 * {@link DerError} that names the byte offset and the field path. Constructed elements give a
 * child reader over their contents; {@link DerReader.end} insists the contents are used up.
 *
 * Byte values handed out (`octetString`, `element`, ...) are views into the input, not copies.
 */
export class DerReader {
  /** Offset of the next unread byte. */
  pos: number;

  constructor(
    readonly data: Uint8Array,
    start: number,
    /** Offset just past the last content byte. */
    readonly end: number,
    private readonly state: DecodeState,
    /** The reader of the enclosing element; null at the top. */
    readonly parent: DerReader | null,
    /** This element's field name in its parent, for error paths. */
    readonly name: string,
    /** This element's index in an enclosing SEQUENCE OF, or -1. */
    readonly index: number,
    private readonly depth: number,
  ) {
    this.pos = start;
  }

  /** A reader over a whole input, for a top-level type named `rootName`. */
  static root(data: Uint8Array, rootName: string, options: DecodeOptions = {}): DerReader {
    const limits: DecodeLimits = {
      maxBytes: limitOf(options.maxBytes, DEFAULT_LIMITS.maxBytes),
      maxDepth: limitOf(options.maxDepth, DEFAULT_LIMITS.maxDepth, MAX_DEPTH_LIMIT),
      maxElements: limitOf(options.maxElements, DEFAULT_LIMITS.maxElements),
    };
    if (!(data instanceof Uint8Array)) {
      throw new DerError('invalidValue', 0, rootName, 'input is not a Uint8Array');
    }
    const state: DecodeState = { limits, elements: 0 };
    const reader = new DerReader(data, 0, data.length, state, null, rootName, -1, 0);
    if (data.length > limits.maxBytes) {
      reader.fail('sizeExceeded', 0, `input of ${data.length} bytes exceeds maxBytes ${limits.maxBytes}`);
    }
    return reader;
  }

  // ---- errors -------------------------------------------------------------------------------

  /** The dotted field path of this reader, plus `field` when given. */
  path(field?: string): string {
    return pathOf(this, field);
  }

  /** Throws a {@link DerError} located at `offset` and at this reader's path (plus `field`). */
  fail(kind: DerErrorKind, offset: number, detail: string, field?: string): never {
    throw new DerError(kind, offset, this.path(field), detail);
  }

  // ---- element headers -----------------------------------------------------------------------

  /** True when all contents have been consumed. */
  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The identifier octet of the next element, or -1 at the end. */
  peekTag(): number {
    return this.pos < this.end ? (this.data[this.pos] as number) : -1;
  }

  /** True when the next element has identifier octet `tag`. */
  isNext(tag: number): boolean {
    return this.pos < this.end && this.data[this.pos] === tag;
  }

  /** Fails with `trailingData` unless every content byte has been read. */
  finish(): void {
    if (this.pos < this.end) {
      this.fail(
        this.parent === null ? 'trailingData' : 'unexpectedTag',
        this.pos,
        this.parent === null ? `${this.end - this.pos} trailing bytes` : `unexpected element ${describeTag(this.data[this.pos] as number)}`,
      );
    }
  }

  /**
   * Reads the identifier and length of the next element, which must have identifier `tag`
   * (any tag when `tag` is -1). Leaves `pos` at the first content byte and returns the offset
   * just past the contents.
   */
  private header(tag: number, field: string): number {
    const data = this.data;
    const start = this.pos;
    if (start >= this.end) {
      this.fail('truncated', start, `missing ${tag < 0 ? 'element' : describeTag(tag)}`, field);
    }
    const state = this.state;
    if (++state.elements > state.limits.maxElements) {
      this.fail('countExceeded', start, `more than ${state.limits.maxElements} elements`, field);
    }
    const id = data[start] as number;
    if (tag >= 0 && id !== tag) {
      this.fail('unexpectedTag', start, `expected ${describeTag(tag)} but found ${describeTag(id)}`, field);
    }
    if ((id & 0x1f) === 0x1f) this.fail('highTagNumber', start, 'high tag number form', field);
    let p = start + 1;
    if (p >= this.end) this.fail('truncated', start, 'input ends in the length', field);
    let len = data[p++] as number;
    if (len >= 0x80) {
      const n = len & 0x7f;
      if (n === 0) this.fail('indefiniteLength', start, 'indefinite length', field);
      if (n > 4) this.fail('lengthTooLarge', start, `length of ${n} octets`, field);
      if (p + n > this.end) this.fail('truncated', start, 'input ends in the length', field);
      if (data[p] === 0) this.fail('nonMinimalLength', start, 'length with a leading zero octet', field);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (data[p++] as number);
      if (len < 0x80) this.fail('nonMinimalLength', start, `long-form length ${len}`, field);
    }
    const contentEnd = p + len;
    if (contentEnd > this.end) {
      this.fail('truncated', start, `${len}-byte contents run past the end by ${contentEnd - this.end}`, field);
    }
    this.pos = p;
    return contentEnd;
  }

  private child(tag: number, field: string, index: number): DerReader {
    const start = this.pos;
    const contentEnd = this.header(tag, field);
    const depth = this.depth + 1;
    if (depth > this.state.limits.maxDepth) {
      this.fail('depthExceeded', start, `nesting deeper than ${this.state.limits.maxDepth}`, field);
    }
    const reader = new DerReader(this.data, this.pos, contentEnd, this.state, this, field, index, depth);
    this.pos = contentEnd;
    return reader;
  }

  // ---- constructed ---------------------------------------------------------------------------

  /** Reads a SEQUENCE (or another constructed element with identifier `tag`); returns a reader over its contents. */
  sequence(field: string, tag: number = Tag.SEQUENCE, index = -1): DerReader {
    return this.child(tag, field, index);
  }

  /** Reads an EXPLICIT context tag `[n]`; returns a reader over its contents (one inner element). */
  explicit(n: number, field: string): DerReader {
    return this.child(0xa0 | n, field, -1);
  }

  /** Like {@link explicit} but returns undefined when the next element is not `[n]`. */
  optionalExplicit(n: number, field: string): DerReader | undefined {
    return this.isNext(0xa0 | n) ? this.child(0xa0 | n, field, -1) : undefined;
  }

  /**
   * Reads a SEQUENCE OF / SET OF with identifier `tag`, decoding each element with `readItem`.
   * `minSize` enforces `SIZE (1..MAX)`. For a SET OF, DER order is checked.
   */
  sequenceOf<T>(
    field: string,
    readItem: (r: DerReader, field: string, index: number) => T,
    tag: number = Tag.SEQUENCE,
    minSize = 0,
    index = -1,
  ): T[] {
    const start = this.pos;
    const list = this.child(tag, field, index);
    const out: T[] = [];
    let previousStart = -1;
    let previousEnd = -1;
    while (list.pos < list.end) {
      const itemStart = list.pos;
      // the item's field is its index, so that errors inside primitive items (a UTF8String of
      // PKIFreeText, a certificate of extraCerts) name the item: `freeText[1]`
      out.push(readItem(list, `[${out.length}]`, -1));
      if ((tag & 0x1f) === 0x11 && previousStart >= 0) {
        if (compareBytes(this.data, previousStart, previousEnd, itemStart, list.pos) > 0) {
          list.fail('setOrder', itemStart, 'SET OF elements not in DER order', `[${out.length - 1}]`);
        }
      }
      previousStart = itemStart;
      previousEnd = list.pos;
    }
    if (out.length < minSize) {
      this.fail('sizeConstraint', start, `needs at least ${minSize} element(s)`, field);
    }
    return out;
  }

  // ---- whole elements -------------------------------------------------------------------------

  /** Reads the next element whatever its tag; returns its full encoding (identifier, length, contents). */
  element(field: string, tag = -1): Uint8Array {
    const start = this.pos;
    const contentEnd = this.header(tag, field);
    this.pos = contentEnd;
    return this.data.subarray(start, contentEnd);
  }

  /** The next element's full encoding, which must be a SEQUENCE (a certificate, a CRL, a CMS structure). */
  sequenceElement(field: string): Uint8Array {
    return this.element(field, Tag.SEQUENCE);
  }

  /**
   * Reads an IMPLICIT-tagged SEQUENCE (`[n] EnvelopedData` and the like) and returns it as a
   * standalone SEQUENCE encoding: a copy whose identifier octet is 0x30.
   */
  implicitSequence(tag: number, field: string): Uint8Array {
    const copy = this.element(field, tag).slice();
    copy[0] = Tag.SEQUENCE;
    return copy;
  }

  /** Reads the next element and returns its contents octets, whatever they are. */
  contents(tag: number, field: string): Uint8Array {
    const contentEnd = this.header(tag, field);
    const value = this.data.subarray(this.pos, contentEnd);
    this.pos = contentEnd;
    return value;
  }

  // ---- primitives ----------------------------------------------------------------------------

  /** An INTEGER that must fit a JavaScript safe integer. */
  integer(field: string, tag: number = Tag.INTEGER): number {
    const start = this.pos;
    const contentEnd = this.header(tag, field);
    const p = this.integerStart(start, contentEnd, field);
    const len = contentEnd - p;
    const data = this.data;
    if (len > 7) this.fail('integerRange', start, 'INTEGER too large for this field', field);
    let value: number;
    if (len === 7) {
      // 49 to 56 bits: exact in bigint arithmetic, then checked against the safe range
      const big = bytesToBigInt(data, p, contentEnd);
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
        this.fail('integerRange', start, 'INTEGER too large for this field', field);
      }
      value = Number(big);
    } else {
      value = (data[p] as number) >= 0x80 ? (data[p] as number) - 256 : (data[p] as number);
      for (let i = p + 1; i < contentEnd; i++) value = value * 256 + (data[i] as number);
    }
    this.pos = contentEnd;
    return value;
  }

  /** An INTEGER of any size. */
  bigInteger(field: string, tag: number = Tag.INTEGER): bigint {
    const start = this.pos;
    const contentEnd = this.header(tag, field);
    const p = this.integerStart(start, contentEnd, field);
    this.pos = contentEnd;
    return bytesToBigInt(this.data, p, contentEnd);
  }

  private integerStart(start: number, contentEnd: number, field: string): number {
    const p = this.pos;
    const len = contentEnd - p;
    const data = this.data;
    if (len === 0) this.fail('nonMinimalInteger', start, 'INTEGER without content', field);
    if (len > 1) {
      const b0 = data[p] as number;
      const b1 = data[p + 1] as number;
      if ((b0 === 0 && b1 < 0x80) || (b0 === 0xff && b1 >= 0x80)) {
        this.fail('nonMinimalInteger', start, 'INTEGER with a redundant leading octet', field);
      }
    }
    return p;
  }

  /** An ENUMERATED (same rules as INTEGER). */
  enumerated(field: string, tag: number = Tag.ENUMERATED): number {
    return this.integer(field, tag);
  }

  /** A BOOLEAN (0x00 or 0xFF only). */
  boolean(field: string, tag: number = Tag.BOOLEAN): boolean {
    const start = this.pos;
    const contentEnd = this.header(tag, field);
    const value = this.data[this.pos];
    if (contentEnd - this.pos !== 1 || (value !== 0 && value !== 0xff)) {
      this.fail('invalidBoolean', start, 'BOOLEAN must be one octet 0x00 or 0xFF', field);
    }
    this.pos = contentEnd;
    return value === 0xff;
  }

  /** A NULL. */
  null(field: string, tag: number = Tag.NULL): null {
    const start = this.pos;
    const contentEnd = this.header(tag, field);
    if (contentEnd !== this.pos) this.fail('invalidNull', start, 'NULL with content', field);
    return null;
  }

  /** An OCTET STRING's contents (a view). */
  octetString(field: string, tag: number = Tag.OCTET_STRING): Uint8Array {
    return this.contents(tag, field);
  }

  /** A BIT STRING with its unused-bit count; padding bits must be zero. */
  bitString(field: string, tag: number = Tag.BIT_STRING): BitString {
    const start = this.pos;
    const contentEnd = this.header(tag, field);
    const data = this.data;
    const p = this.pos;
    if (contentEnd === p) this.fail('invalidBitString', start, 'BIT STRING without content', field);
    const unusedBits = data[p] as number;
    if (unusedBits > 7) this.fail('invalidBitString', start, `${unusedBits} unused bits`, field);
    if (contentEnd === p + 1 && unusedBits !== 0) {
      this.fail('invalidBitString', start, 'empty BIT STRING with unused bits', field);
    }
    if (unusedBits !== 0 && ((data[contentEnd - 1] as number) & ((1 << unusedBits) - 1)) !== 0) {
      this.fail('invalidBitString', start, 'BIT STRING padding bits are not zero', field);
    }
    this.pos = contentEnd;
    return { bytes: data.subarray(p + 1, contentEnd), unusedBits };
  }

  /** A BIT STRING that carries whole octets (signatures, keys, protection): unused bits must be 0. */
  octetBitString(field: string, tag: number = Tag.BIT_STRING): Uint8Array {
    const start = this.pos;
    const bits = this.bitString(field, tag);
    if (bits.unusedBits !== 0) this.fail('invalidBitString', start, 'BIT STRING of octets has unused bits', field);
    return bits.bytes;
  }

  /**
   * A BIT STRING with named bits: returns the numbers of the bits that are set. DER forbids
   * trailing zero bits, so the last octet's last used bit must be set.
   */
  namedBits(field: string, tag: number = Tag.BIT_STRING): number[] {
    const start = this.pos;
    const { bytes, unusedBits } = this.bitString(field, tag);
    const out: number[] = [];
    if (bytes.length === 0) return out;
    const last = bytes[bytes.length - 1] as number;
    if ((last & (1 << unusedBits)) === 0) {
      this.fail('invalidBitString', start, 'named BIT STRING with trailing zero bits', field);
    }
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (b === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) out.push(i * 8 + bit);
    }
    return out;
  }

  /** An OBJECT IDENTIFIER in dotted form. */
  oid(field: string, tag: number = Tag.OBJECT_IDENTIFIER): string {
    const start = this.pos;
    const contentEnd = this.header(tag, field);
    const value = decodeOid(this.data, this.pos, contentEnd);
    if (value === null) this.fail('invalidOid', start, 'malformed OBJECT IDENTIFIER', field);
    this.pos = contentEnd;
    return value;
  }

  /** A UTF8String. */
  utf8String(field: string, tag: number = Tag.UTF8String): string {
    const start = this.pos;
    const bytes = this.contents(tag, field);
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail('invalidString', start, 'UTF8String is not valid UTF-8', field);
    }
  }

  /** An IA5String (7-bit ASCII). */
  ia5String(field: string, tag: number = Tag.IA5String): string {
    const start = this.pos;
    const bytes = this.contents(tag, field);
    let s = '';
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (c > 0x7f) this.fail('invalidString', start, 'IA5String with a non-ASCII octet', field);
      s += String.fromCharCode(c);
    }
    return s;
  }

  /** A GeneralizedTime in DER form (`YYYYMMDDHHMMSS[.fff]Z`). */
  generalizedTime(field: string, tag: number = Tag.GeneralizedTime): Date {
    const start = this.pos;
    const bytes = this.contents(tag, field);
    const value = decodeGeneralizedTime(bytes);
    if (value === null) this.fail('invalidTime', start, 'GeneralizedTime not in DER form', field);
    return value;
  }

  /** A UTCTime in DER form (`YYMMDDHHMMSSZ`). */
  utcTime(field: string, tag: number = Tag.UTCTime): Date {
    const start = this.pos;
    const bytes = this.contents(tag, field);
    const value = decodeUTCTime(bytes);
    if (value === null) this.fail('invalidTime', start, 'UTCTime not in DER form', field);
    return value;
  }
}

/** The dotted field path of `reader`, plus `field` when given. */
function pathOf(reader: DerReader, field?: string): string {
  const segments: string[] = [];
  if (field) segments.push(field);
  for (let r: DerReader | null = reader; r !== null; r = r.parent) {
    if (r.index >= 0) segments.push(`${r.name}[${r.index}]`);
    else if (r.name) segments.push(r.name);
  }
  let out = '';
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i] as string;
    out += out && !segment.startsWith('[') ? `.${segment}` : segment;
  }
  return out;
}

/** Compares two byte ranges of `data` as DER orders SET OF elements. */
function compareBytes(data: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const d = (data[a + i] as number) - (data[b + i] as number);
    if (d !== 0) return d;
  }
  return aEnd - a - (bEnd - b);
}

function bytesToBigInt(data: Uint8Array, start: number, end: number): bigint {
  let hex = '';
  for (let i = start; i < end; i++) hex += (data[i] as number).toString(16).padStart(2, '0');
  let value = BigInt(`0x${hex}`);
  if ((data[start] as number) >= 0x80) value -= 1n << BigInt((end - start) * 8);
  return value;
}
