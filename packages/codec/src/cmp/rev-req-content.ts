import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readCertTemplate, writeCertTemplate, type CertTemplate } from '../crmf/cert-template.js';
import { readExtensions, writeExtensions, type Extensions } from '../x509/extensions.js';

/**
 * RevDetails, RFC 9810 section 5.3.9:
 *
 * ```asn1
 * RevDetails ::= SEQUENCE {
 *     certDetails         CertTemplate,
 *     crlEntryDetails     Extensions{{...}}    OPTIONAL }
 * ```
 */
export interface RevDetails {
  certDetails: CertTemplate;
  crlEntryDetails?: Extensions;
}

/** `RevReqContent ::= SEQUENCE OF RevDetails` */
export type RevReqContent = RevDetails[];

function readRevDetails(r: DerReader, field: string, index: number): RevDetails {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const details: RevDetails = { certDetails: readCertTemplate(s, 'certDetails') };
  if (!s.atEnd()) details.crlEntryDetails = readExtensions(s, 'crlEntryDetails');
  s.finish();
  return details;
}

export function readRevReqContent(r: DerReader, field: string): RevReqContent {
  return r.sequenceOf(field, readRevDetails);
}

export function writeRevReqContent(w: DerWriter, content: RevReqContent): void {
  w.sequence((w) => {
    for (const details of content) {
      w.sequence((w) => {
        writeCertTemplate(w, details.certDetails);
        if (details.crlEntryDetails) writeExtensions(w, details.crlEntryDetails);
      });
    }
  });
}
