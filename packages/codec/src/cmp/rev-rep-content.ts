import type { DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readCertId, writeCertId, type CertId } from '../crmf/cert-id.js';
import { readPKIStatusInfo, writePKIStatusInfo, type PKIStatusInfo } from './pki-status-info.js';

/**
 * RevRepContent, RFC 9810 section 5.3.10 (EXPLICIT tags):
 *
 * ```asn1
 * RevRepContent ::= SEQUENCE {
 *     status       SEQUENCE SIZE (1..MAX) OF PKIStatusInfo,
 *     revCerts [0] SEQUENCE SIZE (1..MAX) OF CertId OPTIONAL,
 *     crls     [1] SEQUENCE SIZE (1..MAX) OF CertificateList OPTIONAL }
 * ```
 *
 * Each CRL is kept as its DER.
 */
export interface RevRepContent {
  status: PKIStatusInfo[];
  revCerts?: CertId[];
  crls?: DerValue[];
}

export function readRevRepContent(r: DerReader, field: string): RevRepContent {
  const s = r.sequence(field);
  const content: RevRepContent = {
    status: s.sequenceOf('status', readPKIStatusInfo, Tag.SEQUENCE, 1),
  };
  let e: DerReader | undefined;
  if ((e = s.optionalExplicit(0, 'revCerts'))) {
    content.revCerts = e.sequenceOf('', (r, f, i) => readCertId(r, f, Tag.SEQUENCE, i), Tag.SEQUENCE, 1);
    e.finish();
  }
  if ((e = s.optionalExplicit(1, 'crls'))) {
    content.crls = e.sequenceOf('', (r, f) => ({ der: r.element(f, Tag.SEQUENCE) }), Tag.SEQUENCE, 1);
    e.finish();
  }
  s.finish();
  return content;
}

export function writeRevRepContent(w: DerWriter, content: RevRepContent): void {
  requireItems(content.status, 'RevRepContent.status');
  if (content.revCerts) requireItems(content.revCerts, 'RevRepContent.revCerts');
  if (content.crls) requireItems(content.crls, 'RevRepContent.crls');
  w.sequence((w) => {
    w.sequence((w) => {
      for (const status of content.status) writePKIStatusInfo(w, status);
    });
    if (content.revCerts) {
      const ids = content.revCerts;
      w.explicit(0, (w) =>
        w.sequence((w) => {
          for (const id of ids) writeCertId(w, id);
        }),
      );
    }
    if (content.crls) {
      const crls = content.crls;
      w.explicit(1, (w) =>
        w.sequence((w) => {
          for (const crl of crls) w.raw(crl.der);
        }),
      );
    }
  });
}
