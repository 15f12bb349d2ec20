import type { DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import type { DerWriter } from '../der/writer.js';
import { readEncryptedValue, writeEncryptedValue, type EncryptedValue } from './encrypted-value.js';

/**
 * EncryptedKey, RFC 4211 section 4.2.1 as updated by RFC 9810 section 5.2.2 (IMPLICIT tags):
 *
 * ```asn1
 * EncryptedKey ::= CHOICE {
 *     encryptedValue        EncryptedValue,   -- Deprecated
 *     envelopedData     [0] EnvelopedData }
 * ```
 *
 * The EnvelopedData (RFC 5652) is kept as its standalone DER (a SEQUENCE); the `[0]` tag is
 * applied when it is written.
 */
export type EncryptedKey = { type: 'encryptedValue'; value: EncryptedValue } | { type: 'envelopedData'; value: DerValue };

export function readEncryptedKey(r: DerReader, field: string): EncryptedKey {
  if (r.isNext(0xa0)) return { type: 'envelopedData', value: { der: r.implicitSequence(0xa0, field) } };
  return { type: 'encryptedValue', value: readEncryptedValue(r, field) };
}

export function writeEncryptedKey(w: DerWriter, key: EncryptedKey): void {
  if (key.type === 'envelopedData') w.implicitSequence(0xa0, key.value.der);
  else writeEncryptedValue(w, key.value);
}
