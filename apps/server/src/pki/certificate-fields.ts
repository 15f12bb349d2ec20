import type { Name, SubjectPublicKeyInfo } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';

/** The fields of a certificate the server stores and compares. */
export interface CertificateFields {
  serialNumber: bigint;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  publicKey: SubjectPublicKeyInfo;
}

/** Reads a DER certificate's serial number, names, validity and key (with the codec's DER reader). */
export function readCertificateFields(der: Uint8Array): CertificateFields {
  const cert = parseCertificate(der);
  return {
    serialNumber: cert.serialNumber,
    issuer: cert.issuer,
    subject: cert.subject,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    publicKey: cert.subjectPublicKeyInfo,
  };
}
