import { encodeSubjectPublicKeyInfo, type CertReqMsg, type CertTemplate, type PKIBodyType } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import { bytesEqual } from '../../message/bytes.js';

/**
 * Why a CertReqMsg of a CertReqMessages body (ir, cr, kur, ccr) cannot be processed because of its
 * place in the body, or undefined: RFC 9483 sections 4.1.1 to 4.1.3 allow exactly one CertReqMsg,
 * with certReqId 0 (ccr, which the profile does not cover, follows cr). Each such request is
 * answered in the ip/cp/kup/ccp with a rejection carrying badRequest, not with an error message.
 */
export function placementProblem(
  bodyType: PKIBodyType,
  messages: readonly CertReqMsg[],
  msg: CertReqMsg,
): RequestRejectedError | undefined {
  if (messages.length !== 1) {
    return new RequestRejectedError(
      'badRequest',
      `a ${bodyType} carries exactly one CertReqMsg (RFC 9483 section 4.1), this one carries ${messages.length}`,
    );
  }
  if (msg.certReq.certReqId !== 0) {
    return new RequestRejectedError('badRequest', `certReqId must be 0 (RFC 9483 section 4.1.1), not ${msg.certReq.certReqId}`);
  }
  return undefined;
}

/**
 * The template checks the engine makes before proof of possession (RFC 9483 section 4.1.1): a
 * subject is required (it may be the NULL-DN when a subjectAltName names the subject, which the
 * issuer decides); a central key generation request (no public key, or only an algorithm) carries
 * no POP (section 4.1.6).
 *
 * @throws RequestRejectedError badCertTemplate, or badPOP for a POP on a central key request.
 */
export function checkTemplate(msg: CertReqMsg, central: boolean): void {
  const template = msg.certReq.certTemplate;
  if (template.subject === undefined) {
    throw new RequestRejectedError('badCertTemplate', 'the certTemplate carries no subject (RFC 9483 section 4.1.1 requires one)');
  }
  if (central && msg.popo) throw new RequestRejectedError('badPOP', 'a request for central key generation carries no POP');
}

/**
 * A key update must certify a new key unless the policy allows the old one (RFC 9483 section
 * 4.1.3 leaves it to the PKI): `oldCertificate` is the certificate being updated.
 *
 * @throws RequestRejectedError badCertTemplate.
 */
export function checkKeyChanged(template: CertTemplate, oldCertificate: Uint8Array): void {
  if (!template.publicKey || template.publicKey.subjectPublicKey.length === 0) return;
  const old = parseCertificate(oldCertificate);
  if (bytesEqual(encodeSubjectPublicKeyInfo(template.publicKey), old.subjectPublicKeyInfoDer)) {
    throw new RequestRejectedError('badCertTemplate', 'the key update request carries the key of the certificate being updated');
  }
}
