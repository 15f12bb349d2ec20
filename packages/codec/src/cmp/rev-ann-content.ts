import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readCertId, writeCertId, type CertId } from '../crmf/cert-id.js';
import { readExtensions, writeExtensions, type Extensions } from '../x509/extensions.js';

/**
 * RevAnnContent, RFC 9810 section 5.3.15:
 *
 * ```asn1
 * RevAnnContent ::= SEQUENCE {
 *     status              PKIStatus,
 *     certId              CertId,
 *     willBeRevokedAt     GeneralizedTime,
 *     badSinceDate        GeneralizedTime,
 *     crlDetails          Extensions{{...}}  OPTIONAL }
 * ```
 */
export interface RevAnnContent {
  status: number;
  certId: CertId;
  willBeRevokedAt: Date;
  badSinceDate: Date;
  crlDetails?: Extensions;
}

export function readRevAnnContent(r: DerReader, field: string): RevAnnContent {
  const s = r.sequence(field);
  const content: RevAnnContent = {
    status: s.integer('status'),
    certId: readCertId(s, 'certId'),
    willBeRevokedAt: s.generalizedTime('willBeRevokedAt'),
    badSinceDate: s.generalizedTime('badSinceDate'),
  };
  if (!s.atEnd()) content.crlDetails = readExtensions(s, 'crlDetails');
  s.finish();
  return content;
}

export function writeRevAnnContent(w: DerWriter, content: RevAnnContent): void {
  w.sequence((w) => {
    w.integer(content.status);
    writeCertId(w, content.certId);
    w.generalizedTime(content.willBeRevokedAt);
    w.generalizedTime(content.badSinceDate);
    if (content.crlDetails) writeExtensions(w, content.crlDetails);
  });
}
