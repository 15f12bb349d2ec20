import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readPKIFreeText, writePKIFreeText, type PKIFreeText } from './pki-free-text.js';

/**
 * KemOtherInfo, RFC 9810 section 5.1.3.4: the DER whose encoding is the `info` (context) input
 * of the KDF in KEM-based MAC protection. The module has EXPLICIT tags, so `kemContext` is an
 * OCTET STRING inside a constructed `[0]`.
 *
 * ```asn1
 * KemOtherInfo ::= SEQUENCE {
 *   staticString      PKIFreeText,
 *   transactionID     OCTET STRING,
 *   kemContext    [0] OCTET STRING OPTIONAL
 * }
 * ```
 *
 * The RFC requires `staticString` to be `["CMP-KEM"]`; the codec does not enforce that, the
 * protection layer does.
 */
export interface KemOtherInfo {
  /** MUST be `['CMP-KEM']`. */
  staticString: PKIFreeText;
  /** The transactionID of the message that carried the ciphertext. */
  transactionID: Uint8Array;
  /** The `kemContext` of the KemBMParameter, when present. */
  kemContext?: Uint8Array;
}

export function readKemOtherInfo(r: DerReader, field: string): KemOtherInfo {
  const s = r.sequence(field);
  const value: KemOtherInfo = {
    staticString: readPKIFreeText(s, 'staticString'),
    transactionID: s.octetString('transactionID'),
  };
  const e = s.optionalExplicit(0, 'kemContext');
  if (e) {
    value.kemContext = e.octetString('');
    e.finish();
  }
  s.finish();
  return value;
}

export function writeKemOtherInfo(w: DerWriter, value: KemOtherInfo): void {
  w.sequence((w) => {
    writePKIFreeText(w, value.staticString);
    w.octetString(value.transactionID);
    if (value.kemContext) {
      const context = value.kemContext;
      w.explicit(0, (w) => w.octetString(context));
    }
  });
}

/** Decodes a DER KemOtherInfo. */
export function decodeKemOtherInfo(der: Uint8Array, options?: DecodeOptions): KemOtherInfo {
  return decodeWith(der, 'KemOtherInfo', readKemOtherInfo, options);
}

/** Encodes a KemOtherInfo as DER (the KDF context of KEM-based MAC protection). */
export function encodeKemOtherInfo(value: KemOtherInfo): Uint8Array {
  return encodeWith(value, writeKemOtherInfo, 128);
}
