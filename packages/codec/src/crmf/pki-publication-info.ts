import type { DerReader } from '../der/reader.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readGeneralName, writeGeneralName, type GeneralName } from '../x509/general-name.js';

/**
 * SinglePubInfo, RFC 4211 section 6.3:
 *
 * ```asn1
 * SinglePubInfo ::= SEQUENCE {
 *     pubMethod    INTEGER { dontCare (0), x500 (1), web (2), ldap (3) },
 *     pubLocation  GeneralName OPTIONAL }
 * ```
 */
export interface SinglePubInfo {
  pubMethod: number;
  pubLocation?: GeneralName;
}

/**
 * PKIPublicationInfo, RFC 4211 section 6.3:
 *
 * ```asn1
 * PKIPublicationInfo ::= SEQUENCE {
 *     action     INTEGER { dontPublish (0), pleasePublish (1) },
 *     pubInfos  SEQUENCE SIZE (1..MAX) OF SinglePubInfo OPTIONAL }
 * ```
 */
export interface PKIPublicationInfo {
  action: number;
  pubInfos?: SinglePubInfo[];
}

function readSinglePubInfo(r: DerReader, field: string, index: number): SinglePubInfo {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const info: SinglePubInfo = { pubMethod: s.integer('pubMethod') };
  if (!s.atEnd()) info.pubLocation = readGeneralName(s, 'pubLocation');
  s.finish();
  return info;
}

export function readPKIPublicationInfo(r: DerReader, field: string, tag: number = Tag.SEQUENCE): PKIPublicationInfo {
  const s = r.sequence(field, tag);
  const info: PKIPublicationInfo = { action: s.integer('action') };
  if (!s.atEnd()) info.pubInfos = s.sequenceOf('pubInfos', readSinglePubInfo, Tag.SEQUENCE, 1);
  s.finish();
  return info;
}

export function writePKIPublicationInfo(w: DerWriter, info: PKIPublicationInfo, tag: number = Tag.SEQUENCE): void {
  w.constructed(tag, (w) => {
    w.integer(info.action);
    if (info.pubInfos) {
      const pubInfos = info.pubInfos;
      requireItems(pubInfos, 'PKIPublicationInfo.pubInfos');
      w.sequence((w) => {
        for (const p of pubInfos) {
          w.sequence((w) => {
            w.integer(p.pubMethod);
            if (p.pubLocation) writeGeneralName(w, p.pubLocation);
          });
        }
      });
    }
  });
}
