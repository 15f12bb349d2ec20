import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';

/**
 * AlgorithmIdentifier, RFC 5280 section 4.1.1.2:
 *
 * ```asn1
 * AlgorithmIdentifier  ::=  SEQUENCE  {
 *      algorithm               OBJECT IDENTIFIER,
 *      parameters              ANY DEFINED BY algorithm OPTIONAL  }
 * ```
 *
 * `parameters` is kept as DER; absent and NULL parameters stay distinct
 * (`{ der: Uint8Array.of(5, 0) }` is an explicit NULL).
 */
export interface AlgorithmIdentifier {
  algorithm: string;
  parameters?: DerValue;
}

export function readAlgorithmIdentifier(r: DerReader, field: string, tag: number = Tag.SEQUENCE, index = -1): AlgorithmIdentifier {
  const s = r.sequence(field, tag, index);
  const algorithm = s.oid('algorithm');
  const result: AlgorithmIdentifier = { algorithm };
  if (!s.atEnd()) result.parameters = { der: s.element('parameters') };
  s.finish();
  return result;
}

export function writeAlgorithmIdentifier(w: DerWriter, value: AlgorithmIdentifier, tag: number = Tag.SEQUENCE): void {
  w.constructed(tag, (w) => {
    w.oid(value.algorithm);
    if (value.parameters) w.raw(value.parameters.der);
  });
}

/** Decodes a DER AlgorithmIdentifier. */
export function decodeAlgorithmIdentifier(der: Uint8Array, options?: DecodeOptions): AlgorithmIdentifier {
  return decodeWith(der, 'AlgorithmIdentifier', (r, f) => readAlgorithmIdentifier(r, f), options);
}

/** Encodes an AlgorithmIdentifier as DER. */
export function encodeAlgorithmIdentifier(value: AlgorithmIdentifier): Uint8Array {
  return encodeWith(value, (w, v) => writeAlgorithmIdentifier(w, v), 64);
}
