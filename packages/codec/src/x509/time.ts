import { decodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';

/**
 * Time, RFC 5280 section 4.1.2.5. The alternative is kept so a decoded value re-encodes exactly.
 *
 * ```asn1
 * Time ::= CHOICE {
 *      utcTime        UTCTime,
 *      generalTime    GeneralizedTime }
 * ```
 */
export type Time = { type: 'utcTime'; value: Date } | { type: 'generalTime'; value: Date };

export function readTime(r: DerReader, field: string): Time {
  if (r.isNext(Tag.UTCTime)) return { type: 'utcTime', value: r.utcTime(field) };
  return { type: 'generalTime', value: r.generalizedTime(field) };
}

export function writeTime(w: DerWriter, time: Time): void {
  if (time.type === 'utcTime') w.utcTime(time.value);
  else w.generalizedTime(time.value);
}

/** The Time RFC 5280 prescribes for `date`: UTCTime through 2049, GeneralizedTime from 2050. */
export function timeOf(date: Date): Time {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? { type: 'utcTime', value: date } : { type: 'generalTime', value: date };
}

/** Decodes a DER Time (UTCTime or GeneralizedTime, RFC 5280 section 4.1.2.5). */
export function decodeTime(der: Uint8Array, options?: DecodeOptions): Time {
  return decodeWith(der, 'Time', readTime, options);
}
