import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, type Time as AsnTime } from '@peculiar/asn1-x509';
import { decodeName, decodeSubjectPublicKeyInfo, type Name, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { serialFromBytes } from './serial-number.js';

/** The fields of a certificate the server stores and compares. */
export interface CertificateFields {
  serialNumber: bigint;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  publicKey: SubjectPublicKeyInfo;
}

function dateOf(time: AsnTime): Date {
  return time.getTime();
}

/** Reads a DER certificate's serial number, names, validity and key. */
export function readCertificateFields(der: Uint8Array): CertificateFields {
  const cert = AsnConvert.parse(der, Certificate);
  const tbs = cert.tbsCertificate;
  return {
    serialNumber: serialFromBytes(new Uint8Array(tbs.serialNumber)),
    issuer: decodeName(new Uint8Array(AsnConvert.serialize(tbs.issuer))),
    subject: decodeName(new Uint8Array(AsnConvert.serialize(tbs.subject))),
    notBefore: dateOf(tbs.validity.notBefore),
    notAfter: dateOf(tbs.validity.notAfter),
    publicKey: decodeSubjectPublicKeyInfo(new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo))),
  };
}
