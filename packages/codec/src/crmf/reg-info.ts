import type { DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { oids } from '../oids.js';
import { readCertRequest, writeCertRequest, type CertRequest } from './cert-request.js';

/**
 * One registration info item of `CertReqMsg.regInfo` (RFC 4211 section 7), decoded by its type;
 * an unknown one keeps its OID and its value's DER.
 *
 * ```asn1
 * id-regInfo-utf8Pairs   UTF8Pairs ::= UTF8String
 * id-regInfo-certReq     CertReq ::= CertRequest
 * ```
 */
export type RegInfo =
  { type: 'utf8Pairs'; value: string } | { type: 'certReq'; value: CertRequest } | { type: 'other'; oid: string; value: DerValue };

function readRegInfoItem(r: DerReader, field: string, index: number): RegInfo {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const oid = s.oid('type');
  let info: RegInfo;
  if (oid === oids.id_regInfo_utf8Pairs) info = { type: 'utf8Pairs', value: s.utf8String('value') };
  else if (oid === oids.id_regInfo_certReq) info = { type: 'certReq', value: readCertRequest(s, 'value') };
  else info = { type: 'other', oid, value: { der: s.element('value') } };
  s.finish();
  return info;
}

/** `regInfo SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue` */
export function readRegInfo(r: DerReader, field: string): RegInfo[] {
  return r.sequenceOf(field, readRegInfoItem, Tag.SEQUENCE, 1);
}

export function writeRegInfo(w: DerWriter, items: readonly RegInfo[]): void {
  requireItems(items, 'CertReqMsg.regInfo');
  w.sequence((w) => {
    for (const item of items) {
      w.sequence((w) => {
        switch (item.type) {
          case 'utf8Pairs':
            w.oid(oids.id_regInfo_utf8Pairs);
            w.utf8String(item.value);
            return;
          case 'certReq':
            w.oid(oids.id_regInfo_certReq);
            writeCertRequest(w, item.value);
            return;
          case 'other':
            w.oid(item.oid);
            w.raw(item.value.der);
            return;
        }
      });
    }
  });
}
