import type { DerReader } from '../der/reader.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';

/**
 * PKIFreeText, RFC 9810 section 5.1.1:
 *
 * ```asn1
 * PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
 * ```
 */
export type PKIFreeText = string[];

export function readPKIFreeText(r: DerReader, field: string): PKIFreeText {
  return r.sequenceOf(field, (s, f) => s.utf8String(f), Tag.SEQUENCE, 1);
}

export function writePKIFreeText(w: DerWriter, text: PKIFreeText): void {
  requireItems(text, 'PKIFreeText');
  w.sequence((w) => {
    for (const line of text) w.utf8String(line);
  });
}
