import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readPKIFreeText, writePKIFreeText, type PKIFreeText } from './pki-free-text.js';
import { readPKIStatusInfo, writePKIStatusInfo, type PKIStatusInfo } from './pki-status-info.js';

/**
 * ErrorMsgContent, RFC 9810 section 5.3.21:
 *
 * ```asn1
 * ErrorMsgContent ::= SEQUENCE {
 *     pKIStatusInfo          PKIStatusInfo,
 *     errorCode              INTEGER           OPTIONAL,
 *     errorDetails           PKIFreeText       OPTIONAL }
 * ```
 */
export interface ErrorMsgContent {
  pKIStatusInfo: PKIStatusInfo;
  errorCode?: number;
  errorDetails?: PKIFreeText;
}

export function readErrorMsgContent(r: DerReader, field: string): ErrorMsgContent {
  const s = r.sequence(field);
  const content: ErrorMsgContent = { pKIStatusInfo: readPKIStatusInfo(s, 'pKIStatusInfo') };
  if (s.isNext(Tag.INTEGER)) content.errorCode = s.integer('errorCode');
  if (s.isNext(Tag.SEQUENCE)) content.errorDetails = readPKIFreeText(s, 'errorDetails');
  s.finish();
  return content;
}

export function writeErrorMsgContent(w: DerWriter, content: ErrorMsgContent): void {
  w.sequence((w) => {
    writePKIStatusInfo(w, content.pKIStatusInfo);
    if (content.errorCode !== undefined) w.integer(content.errorCode);
    if (content.errorDetails) writePKIFreeText(w, content.errorDetails);
  });
}
