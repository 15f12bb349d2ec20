import { AsnConvert } from '@peculiar/asn1-schema';
import { Name } from '@peculiar/asn1-x509';
import type { IssuerAndSerialNumber } from '@peculiar/asn1-cms';
import { ProtectionError } from '../errors/protection-error.js';
import type { CertificateFields } from './certificate-fields.js';
import type { RecipientIdentifierType } from './cms-recipient.js';
import { contentsOf, octetString, readElement, sequence } from './der.js';
import { equalBytes } from '../internal/bytes.js';
import { bufferOf } from './webcrypto.js';

/** Which identifier to write for a certificate: the requested one, else SKI when the certificate has it. */
export function identifierType(fields: CertificateFields, requested?: RecipientIdentifierType): RecipientIdentifierType {
  if (requested === 'subjectKeyIdentifier' && !fields.subjectKeyIdentifier) {
    throw new ProtectionError('badDataFormat', 'the certificate has no subjectKeyIdentifier extension');
  }
  return requested ?? (fields.subjectKeyIdentifier ? 'subjectKeyIdentifier' : 'issuerAndSerialNumber');
}

/** `IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }`, from the certificate's own bytes. */
export function issuerAndSerialNumber(fields: CertificateFields): Uint8Array {
  return sequence(fields.issuer, fields.serialNumber);
}

/** `[tag] IMPLICIT SubjectKeyIdentifier` (an OCTET STRING). */
export function subjectKeyIdentifier(fields: CertificateFields, tag: number): Uint8Array {
  const ski = fields.subjectKeyIdentifier;
  if (!ski) throw new ProtectionError('badDataFormat', 'the certificate has no subjectKeyIdentifier extension');
  return octetString(ski, tag);
}

function canonicalName(der: Uint8Array): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(AsnConvert.parse(bufferOf(der), Name)));
}

/** True when a received IssuerAndSerialNumber names the certificate. */
export function namesIssuerAndSerial(id: IssuerAndSerialNumber, fields: CertificateFields): boolean {
  const serial = readElement(fields.serialNumber, 0, 'serialNumber');
  if (!equalBytes(new Uint8Array(id.serialNumber), contentsOf(fields.serialNumber, serial))) return false;
  try {
    return equalBytes(new Uint8Array(AsnConvert.serialize(id.issuer)), canonicalName(fields.issuer));
  } catch {
    return false;
  }
}

/** True when a received subjectKeyIdentifier names the certificate. */
export function namesSubjectKey(keyId: ArrayBuffer, fields: CertificateFields): boolean {
  return fields.subjectKeyIdentifier !== undefined && equalBytes(new Uint8Array(keyId), fields.subjectKeyIdentifier);
}
