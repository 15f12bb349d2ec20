import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readPKIFreeText, writePKIFreeText, type PKIFreeText } from './pki-free-text.js';

/**
 * One entry of PollRepContent.
 */
export interface PollRep {
  certReqId: number;
  /** Seconds the requester should wait before polling again. */
  checkAfter: number;
  reason?: PKIFreeText;
}

/**
 * PollRepContent, RFC 9810 section 5.3.22:
 *
 * ```asn1
 * PollRepContent ::= SEQUENCE OF SEQUENCE {
 *     certReqId              INTEGER,
 *     checkAfter             INTEGER,  -- time in seconds
 *     reason                 PKIFreeText OPTIONAL }
 * ```
 */
export type PollRepContent = PollRep[];

export function readPollRepContent(r: DerReader, field: string): PollRepContent {
  return r.sequenceOf(field, (r, f, i) => {
    const s = r.sequence(f, Tag.SEQUENCE, i);
    const rep: PollRep = { certReqId: s.integer('certReqId'), checkAfter: s.integer('checkAfter') };
    if (!s.atEnd()) rep.reason = readPKIFreeText(s, 'reason');
    s.finish();
    return rep;
  });
}

export function writePollRepContent(w: DerWriter, content: PollRepContent): void {
  w.sequence((w) => {
    for (const rep of content) {
      w.sequence((w) => {
        w.integer(rep.certReqId);
        w.integer(rep.checkAfter);
        if (rep.reason) writePKIFreeText(w, rep.reason);
      });
    }
  });
}
