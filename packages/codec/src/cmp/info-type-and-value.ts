import type { DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';

/**
 * InfoTypeAndValue, RFC 9810 section 5.3.19:
 *
 * ```asn1
 * InfoTypeAndValue ::= SEQUENCE {
 *     infoType    INFO-TYPE-AND-VALUE.&id({SupportedInfoSet}),
 *     infoValue   INFO-TYPE-AND-VALUE.&Type({SupportedInfoSet}{@infoType}) OPTIONAL }
 * ```
 *
 * TODO(itav): typed values for the known infotypes.
 */
export type InfoTypeAndValue = { type: 'other'; infoType: string; infoValue?: DerValue };

export function readInfoTypeAndValue(r: DerReader, field: string, index: number): InfoTypeAndValue {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const infoType = s.oid('infoType');
  const itav: InfoTypeAndValue = { type: 'other', infoType };
  if (!s.atEnd()) itav.infoValue = { der: s.element('infoValue') };
  s.finish();
  return itav;
}

export function writeInfoTypeAndValue(w: DerWriter, itav: InfoTypeAndValue): void {
  w.sequence((w) => {
    w.oid(itav.infoType);
    if (itav.infoValue) w.raw(itav.infoValue.der);
  });
}
