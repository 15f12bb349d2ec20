import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';

/**
 * POPODecKeyRespContent, RFC 9810 section 5.2.8.3:
 *
 * ```asn1
 * POPODecKeyRespContent ::= SEQUENCE OF INTEGER
 * ```
 *
 * One INTEGER (the decrypted random A) per challenged request.
 */
export type POPODecKeyRespContent = bigint[];

export function readPOPODecKeyRespContent(r: DerReader, field: string): POPODecKeyRespContent {
  return r.sequenceOf(field, (r, f) => r.bigInteger(f));
}

export function writePOPODecKeyRespContent(w: DerWriter, content: POPODecKeyRespContent): void {
  w.sequence((w) => {
    for (const value of content) w.integer(value);
  });
}
