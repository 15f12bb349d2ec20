import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';

/**
 * PollReqContent, RFC 9810 section 5.3.22:
 *
 * ```asn1
 * PollReqContent ::= SEQUENCE OF SEQUENCE {
 *     certReqId              INTEGER }
 * ```
 */
export type PollReqContent = { certReqId: number }[];

export function readPollReqContent(r: DerReader, field: string): PollReqContent {
  return r.sequenceOf(field, (r, f, i) => {
    const s = r.sequence(f, Tag.SEQUENCE, i);
    const certReqId = s.integer('certReqId');
    s.finish();
    return { certReqId };
  });
}

export function writePollReqContent(w: DerWriter, content: PollReqContent): void {
  w.sequence((w) => {
    for (const item of content) w.sequence((w) => w.integer(item.certReqId));
  });
}
