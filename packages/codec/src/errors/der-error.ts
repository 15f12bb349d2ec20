import { CmpError } from './cmp-error.js';

/**
 * What was wrong with the input. Each kind is one DER rule or one decoder limit.
 */
export type DerErrorKind =
  /** The input ends inside an element. */
  | 'truncated'
  /** Bytes follow the last element where none may. */
  | 'trailingData'
  /** A BER indefinite length (0x80). */
  | 'indefiniteLength'
  /** A long-form length that fits a shorter form. */
  | 'nonMinimalLength'
  /** A length field of more than four bytes. */
  | 'lengthTooLarge'
  /** A tag number of 31 or more (high-tag-number form), which CMP never uses. */
  | 'highTagNumber'
  /** An element whose tag is not the one the ASN.1 type expects here. */
  | 'unexpectedTag'
  /** An INTEGER with a redundant leading 0x00 or 0xFF, or no content. */
  | 'nonMinimalInteger'
  /** An INTEGER outside the range the field allows. */
  | 'integerRange'
  /** A BOOLEAN that is not 0x00 or 0xFF. */
  | 'invalidBoolean'
  /** A malformed BIT STRING (unused-bit count, non-zero padding, trailing zero named bits). */
  | 'invalidBitString'
  /** A malformed OBJECT IDENTIFIER. */
  | 'invalidOid'
  /** A malformed UTCTime or GeneralizedTime, or one not in DER form. */
  | 'invalidTime'
  /** A string whose characters are not allowed by its type (or invalid UTF-8). */
  | 'invalidString'
  /** A NULL with content. */
  | 'invalidNull'
  /** A field holding its DEFAULT value, which DER requires to be absent. */
  | 'defaultEncoded'
  /** The elements of a SET OF are not in DER order. */
  | 'setOrder'
  /** A SEQUENCE OF with fewer elements than its SIZE constraint. */
  | 'sizeConstraint'
  /** A value the ASN.1 type does not allow (an unknown CHOICE alternative, a bad version). */
  | 'invalidValue'
  /** Nesting deeper than `maxDepth`. */
  | 'depthExceeded'
  /** Input larger than `maxBytes`. */
  | 'sizeExceeded'
  /** More elements than `maxElements`. */
  | 'countExceeded';

const DER_ERROR = Symbol.for('cmpkit.error.DerError');

/**
 * Thrown by every `decode*` function when the input is not valid DER for the expected type, or
 * exceeds a decoder limit. `offset` is the byte offset in the input where the offending element
 * (or byte) starts; `path` names the field, e.g. `PKIMessage.header.senderNonce`.
 */
export class DerError extends CmpError {
  static override readonly name: string = 'DerError';
  readonly kind: DerErrorKind;
  readonly offset: number;
  readonly path: string;

  constructor(kind: DerErrorKind, offset: number, path: string, detail: string) {
    super('CMP_ERR_DER', `codec: ${detail} at offset ${offset}${path ? ` (${path})` : ''}`, {
      failInfo: ['badDataFormat'],
    });
    this.name = 'DerError';
    this.kind = kind;
    this.offset = offset;
    this.path = path;
  }

  get [DER_ERROR](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== DerError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isDerError(value);
  }
}

/** True for any {@link DerError}, including one from another copy of this package. */
export function isDerError(value: unknown): value is DerError {
  return typeof value === 'object' && value !== null && (value as { [DER_ERROR]?: unknown })[DER_ERROR] === true;
}
