import type { CertificateAuthority, IssuedCertificate } from '@cmpkit/ca';
import { nameToString } from '@cmpkit/codec';
import { serialHex } from './pki/serial-number.js';
import type { NewCertificate } from './store/certificate-repository.js';

/**
 * The repository record of a certificate `ca` just issued (ARCHITECTURE.md decision 6: every
 * certificate a CA issues is stored), whoever asked: a CMP transaction, an operator's `cert
 * issue`, or the CA setup of an RA's development credentials.
 */
export function certificateRecordOf(
  ca: Pick<CertificateAuthority, 'subject'>,
  issued: IssuedCertificate,
  origin: { profile: string; requester: string; issuedAt: Date; transactionId?: string; replaces?: string },
): NewCertificate {
  return {
    serial: serialHex(issued.serialNumber),
    issuer: nameToString(ca.subject),
    subject: nameToString(issued.subject),
    der: issued.certificate,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    profile: origin.profile,
    requester: origin.requester,
    ...(origin.transactionId !== undefined && origin.transactionId !== '' ? { transactionId: origin.transactionId } : {}),
    ...(origin.replaces !== undefined ? { replaces: origin.replaces } : {}),
    issuedAt: origin.issuedAt,
  };
}
