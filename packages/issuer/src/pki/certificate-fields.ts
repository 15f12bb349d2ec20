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

function elementAt(der: Uint8Array, pos: number, limit: number): { tag: number; contentStart: number; end: number } {
  if (pos + 2 > limit) throw new Error('server: truncated certificate');
  const tag = der[pos] as number;
  let length = der[pos + 1] as number;
  let contentStart = pos + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || contentStart + n > limit) throw new Error('server: bad length in certificate');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[contentStart + i] as number);
    contentStart += n;
  }
  const end = contentStart + length;
  if (end > limit) throw new Error('server: truncated certificate');
  return { tag, contentStart, end };
}

/**
 * The serial number of a DER certificate, read without parsing the rest: confirmation and
 * revocation need only this, once per transaction.
 */
export function certificateSerialNumber(der: Uint8Array): bigint {
  const certificate = elementAt(der, 0, der.length);
  const tbs = elementAt(der, certificate.contentStart, certificate.end);
  let field = elementAt(der, tbs.contentStart, tbs.end);
  if (field.tag === 0xa0) field = elementAt(der, field.end, tbs.end); // [0] version
  if (certificate.tag !== 0x30 || tbs.tag !== 0x30 || field.tag !== 0x02) throw new Error('server: not a certificate');
  let value = 0n;
  for (let i = field.contentStart; i < field.end; i++) value = (value << 8n) | BigInt(der[i] as number);
  return value;
}
