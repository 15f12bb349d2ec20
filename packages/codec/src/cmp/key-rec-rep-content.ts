import type { DerReader } from '../der/reader.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readCertifiedKeyPair, writeCertifiedKeyPair, type CertifiedKeyPair } from './cert-rep-message.js';
import { readCMPCertificate, readCMPCertificates, writeCMPCertificates, type CMPCertificate } from './cmp-certificate.js';
import { readPKIStatusInfo, writePKIStatusInfo, type PKIStatusInfo } from './pki-status-info.js';

/**
 * KeyRecRepContent, RFC 9810 section 5.3.8 (EXPLICIT tags):
 *
 * ```asn1
 * KeyRecRepContent ::= SEQUENCE {
 *     status                  PKIStatusInfo,
 *     newSigCert          [0] CMPCertificate OPTIONAL,
 *     caCerts             [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate OPTIONAL,
 *     keyPairHist         [2] SEQUENCE SIZE (1..MAX) OF CertifiedKeyPair OPTIONAL }
 * ```
 */
export interface KeyRecRepContent {
  status: PKIStatusInfo;
  newSigCert?: CMPCertificate;
  caCerts?: CMPCertificate[];
  keyPairHist?: CertifiedKeyPair[];
}

export function readKeyRecRepContent(r: DerReader, field: string): KeyRecRepContent {
  const s = r.sequence(field);
  const content: KeyRecRepContent = { status: readPKIStatusInfo(s, 'status') };
  let e: DerReader | undefined;
  if ((e = s.optionalExplicit(0, 'newSigCert'))) {
    content.newSigCert = readCMPCertificate(e, '');
    e.finish();
  }
  if ((e = s.optionalExplicit(1, 'caCerts'))) {
    content.caCerts = readCMPCertificates(e, '');
    e.finish();
  }
  if ((e = s.optionalExplicit(2, 'keyPairHist'))) {
    content.keyPairHist = e.sequenceOf('', readCertifiedKeyPair, Tag.SEQUENCE, 1);
    e.finish();
  }
  s.finish();
  return content;
}

export function writeKeyRecRepContent(w: DerWriter, content: KeyRecRepContent): void {
  w.sequence((w) => {
    writePKIStatusInfo(w, content.status);
    if (content.newSigCert) {
      const cert = content.newSigCert;
      w.explicit(0, (w) => w.raw(cert.der));
    }
    if (content.caCerts) {
      const certs = content.caCerts;
      w.explicit(1, (w) => writeCMPCertificates(w, certs));
    }
    if (content.keyPairHist) {
      const history = content.keyPairHist;
      requireItems(history, 'KeyRecRepContent.keyPairHist');
      w.explicit(2, (w) =>
        w.sequence((w) => {
          for (const pair of history) writeCertifiedKeyPair(w, pair);
        }),
      );
    }
  });
}
