import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';
import { readPKIStatusInfo, writePKIStatusInfo, type PKIStatusInfo } from './pki-status-info.js';

/**
 * CertStatus, RFC 9810 section 5.3.18 (EXPLICIT tags):
 *
 * ```asn1
 * CertStatus ::= SEQUENCE {
 *     certHash    OCTET STRING,
 *     certReqId   INTEGER,
 *     statusInfo  PKIStatusInfo OPTIONAL,
 *     hashAlg [0] AlgorithmIdentifier{DIGEST-ALGORITHM, {...}} OPTIONAL }
 * ```
 */
export interface CertStatus {
  certHash: Uint8Array;
  certReqId: number;
  statusInfo?: PKIStatusInfo;
  hashAlg?: AlgorithmIdentifier;
}

/** `CertConfirmContent ::= SEQUENCE OF CertStatus` */
export type CertConfirmContent = CertStatus[];

function readCertStatus(r: DerReader, field: string, index: number): CertStatus {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const status: CertStatus = { certHash: s.octetString('certHash'), certReqId: s.integer('certReqId') };
  if (s.isNext(Tag.SEQUENCE)) status.statusInfo = readPKIStatusInfo(s, 'statusInfo');
  const e = s.optionalExplicit(0, 'hashAlg');
  if (e) {
    status.hashAlg = readAlgorithmIdentifier(e, '');
    e.finish();
  }
  s.finish();
  return status;
}

export function readCertConfirmContent(r: DerReader, field: string): CertConfirmContent {
  return r.sequenceOf(field, readCertStatus);
}

export function writeCertConfirmContent(w: DerWriter, content: CertConfirmContent): void {
  w.sequence((w) => {
    for (const status of content) {
      w.sequence((w) => {
        w.octetString(status.certHash);
        w.integer(status.certReqId);
        if (status.statusInfo) writePKIStatusInfo(w, status.statusInfo);
        if (status.hashAlg) {
          const alg = status.hashAlg;
          w.explicit(0, (w) => writeAlgorithmIdentifier(w, alg));
        }
      });
    }
  });
}
