import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { FAIL_INFO_NAMES, PKIFailureInfo, type FailInfo } from '../errors/fail-info.js';
import { readPKIFreeText, writePKIFreeText, type PKIFreeText } from './pki-free-text.js';

/**
 * PKIStatus, RFC 9810 section 5.2.3:
 *
 * ```asn1
 * PKIStatus ::= INTEGER {
 *     accepted (0), grantedWithMods (1), rejection (2), waiting (3),
 *     revocationWarning (4), revocationNotification (5), keyUpdateWarning (6) }
 * ```
 */
export const PKIStatus = Object.freeze({
  accepted: 0,
  grantedWithMods: 1,
  rejection: 2,
  waiting: 3,
  revocationWarning: 4,
  revocationNotification: 5,
  keyUpdateWarning: 6,
} as const);

/** A PKIStatus value; other integers a peer sends are kept as they are. */
export type PKIStatus = number;

const STATUS_NAMES = Object.keys(PKIStatus);

/** The name of a PKIStatus value (`'rejection'`), or its number as text when it has none. */
export function pkiStatusName(status: number): string {
  return STATUS_NAMES[status] ?? String(status);
}

/**
 * A PKIFailureInfo bit: one of the 27 names of RFC 9810, or `bitN` for a bit a future revision
 * may define (kept so that nothing the peer sent is lost).
 */
export type FailInfoBit = FailInfo | `bit${number}`;

/**
 * PKIStatusInfo, RFC 9810 section 5.2.3:
 *
 * ```asn1
 * PKIStatusInfo ::= SEQUENCE {
 *     status        PKIStatus,
 *     statusString  PKIFreeText     OPTIONAL,
 *     failInfo      PKIFailureInfo  OPTIONAL }
 * ```
 *
 * `failInfo` lists the names of the bits that are set; an empty list is an encoded BIT STRING
 * with no bit set.
 */
export interface PKIStatusInfo {
  status: PKIStatus;
  statusString?: PKIFreeText;
  failInfo?: FailInfoBit[];
}

export function readPKIStatusInfo(r: DerReader, field: string, index = -1): PKIStatusInfo {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const info: PKIStatusInfo = { status: s.integer('status') };
  if (s.isNext(Tag.SEQUENCE)) info.statusString = readPKIFreeText(s, 'statusString');
  if (s.isNext(Tag.BIT_STRING)) {
    info.failInfo = s.namedBits('failInfo').map((bit) => FAIL_INFO_NAMES[bit] ?? (`bit${bit}` as const));
  }
  s.finish();
  return info;
}

export function writePKIStatusInfo(w: DerWriter, info: PKIStatusInfo): void {
  w.sequence((w) => {
    w.integer(info.status);
    if (info.statusString) writePKIFreeText(w, info.statusString);
    if (info.failInfo) w.namedBits(info.failInfo.map(failInfoBitNumber));
  });
}

function failInfoBitNumber(name: FailInfoBit): number {
  const known = (PKIFailureInfo as Record<string, number>)[name];
  return known ?? Number(name.slice(3));
}
