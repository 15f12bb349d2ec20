import { encodeSubjectPublicKeyInfo, oids, type Extension, type RevDetails } from '@cmpkit/codec';
import { nameEqual, type ParsedCertificate } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import { bytesEqual } from '../message/bytes.js';

/** CRLReason removeFromCRL (RFC 5280 section 5.3.1): a revival of a certificate on hold. */
export const REMOVE_FROM_CRL = 8;

/** CRLReason certificateHold: the only revocation a revival undoes. */
export const CERTIFICATE_HOLD = 6;

/** What an rr's RevDetails asks for, once its form is checked. */
export interface RevocationAsked {
  serialNumber: bigint;
  issuer: NonNullable<RevDetails['certDetails']['issuer']>;
  /** The CRLReason code; undefined when the rr names none (taken as unspecified). */
  reason?: number;
}

/** The one CRLReason of crlEntryDetails: a one-octet ENUMERATED with a code RFC 5280 defines. */
function reasonOf(crlEntryDetails: readonly Extension[] | undefined): number | undefined {
  const reasons = (crlEntryDetails ?? []).filter((e) => e.extnID === oids.id_ce_cRLReasons);
  if (reasons.length > 1) throw new ProtocolError('badRequest', 'crlEntryDetails holds more than one CRLReason');
  const value = reasons[0]?.extnValue;
  if (!value) return undefined;
  if (value.length !== 3 || value[0] !== 0x0a || value[1] !== 1)
    throw new ProtocolError('badDataFormat', 'the CRLReason is not a one-octet ENUMERATED');
  const code = value[2] as number;
  if (code === 7 || code > 10) throw new ProtocolError('badDataFormat', `${code} is not a CRLReason`);
  return code;
}

/**
 * The form of one RevDetails (RFC 9483 section 4.2): certDetails names the certificate by issuer
 * and serialNumber (either missing: addInfoNotAvailable), a version only as v3 (badRequest), and
 * crlEntryDetails at most one CRLReason (two: badRequest) with a known code (badDataFormat).
 * A missing CRLReason is accepted as unspecified: RFC 9483 requires one, but OpenSSL 3.0 sends
 * none unless `-revreason` is given, and RFC 9810 makes crlEntryDetails optional.
 */
export function checkRevDetails(details: RevDetails): RevocationAsked {
  const template = details.certDetails;
  if (template.serialNumber === undefined) throw new RequestRejectedError('addInfoNotAvailable', 'certDetails names no serialNumber');
  if (!template.issuer) throw new RequestRejectedError('addInfoNotAvailable', 'certDetails names no issuer');
  if (template.version !== undefined && template.version !== 2) {
    throw new ProtocolError('badRequest', `certDetails version must be 2 (v3) when present, not ${template.version}`);
  }
  const reason = reasonOf(details.crlEntryDetails);
  return { serialNumber: template.serialNumber, issuer: template.issuer, ...(reason === undefined ? {} : { reason }) };
}

/**
 * certDetails against the certificate it names (RFC 9483 section 4.2: whatever else the template
 * gives must be the certificate's): issuer, subject, public key and each extension.
 *
 * @throws RequestRejectedError badCertId.
 */
export function checkNamesCertificate(details: RevDetails, certificate: ParsedCertificate): void {
  const template = details.certDetails;
  if (template.issuer && !nameEqual(template.issuer, certificate.issuer)) {
    throw new RequestRejectedError('badCertId', 'certDetails issuer is not the issuer of the certificate with this serial number');
  }
  if (template.subject && !nameEqual(template.subject, certificate.subject)) {
    throw new RequestRejectedError('badCertId', 'certDetails subject is not the subject of the certificate named');
  }
  if (template.publicKey && !bytesEqual(encodeSubjectPublicKeyInfo(template.publicKey), certificate.subjectPublicKeyInfoDer)) {
    throw new RequestRejectedError('badCertId', 'certDetails publicKey is not the public key of the certificate named');
  }
  for (const extension of template.extensions ?? []) {
    const own = certificate.extensions.find((e) => e.extnID === extension.extnID);
    if (!own || !bytesEqual(own.extnValue, extension.extnValue) || Boolean(own.critical) !== Boolean(extension.critical)) {
      throw new RequestRejectedError('badCertId', `certDetails extension ${extension.extnID} is not one of the certificate named`);
    }
  }
}
