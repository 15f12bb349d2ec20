import { isCmpError, type PKIStatusInfo, type RevDetails } from '@cmpkit/codec';
import { nameEqual, parseCertificate } from '@cmpkit/protection';
import { ProtocolError } from '../../errors/protocol-error.js';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import { isAuthorizedRa } from '../authorized-ra.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import type { RevocationRequest } from '../issuer.js';
import { CERTIFICATE_HOLD, checkNamesCertificate, checkRevDetails, REMOVE_FROM_CRL } from '../revocation-details.js';
import { claimTransactionId } from '../transaction-rules.js';

/**
 * Who may revoke (built-in policy, replaced by `Authorizer.authorizeRevocation`): the holder of the
 * certificate, signing with it (or, for an ML-KEM certificate, under KEM-based MAC with it); a PKI management entity acting for end entities (RFC 9483 section
 * 5.3.2: an authorised RA, id-kp-cmcRA by default); a shared secret only with allowMacRevocation,
 * otherwise wrongIntegrity (RFC 9483 section 4.2: an rr is signature-protected).
 */
async function authorize(input: HandlerInput, request: RevocationRequest): Promise<void> {
  const { ctx } = input;
  const requester = request.requester;
  if (ctx.init.authorizer?.authorizeRevocation) return ctx.init.authorizer.authorizeRevocation(request);
  if (await isAuthorizedRa(ctx, requester)) return;
  if (requester.kind === 'mac') {
    if (ctx.policy.allowMacRevocation) return;
    throw new ProtocolError('wrongIntegrity', 'an rr must be signed: with the certificate to revoke, or by an authorised RA');
  }
  if (requester.kind === 'signature' || requester.kind === 'kem') {
    const signer = parseCertificate(requester.certificate);
    if (signer.serialNumber === request.serialNumber && (!request.issuer || nameEqual(request.issuer, signer.issuer))) return;
  }
  throw new RequestRejectedError('notAuthorized', 'only the holder of the certificate or an authorised RA may revoke it');
}

/** One RevDetails: checked, authorised, then revoked (or revived); resolves to its status. */
async function revokeOne(input: HandlerInput, details: RevDetails): Promise<PKIStatusInfo> {
  const { ctx, auth } = input;
  const issuer = ctx.init.issuer;
  const asked = checkRevDetails(details);
  const request: RevocationRequest = { serialNumber: asked.serialNumber, issuer: asked.issuer, requester: auth.requester };
  if (asked.reason !== undefined && asked.reason !== REMOVE_FROM_CRL) request.reason = asked.reason;
  const known = await issuer.lookupCertificate?.(asked.serialNumber);
  if (issuer.lookupCertificate) {
    if (!known) throw new RequestRejectedError('badCertId', 'no certificate with this serial number was issued by this CA');
    checkNamesCertificate(details, parseCertificate(known.certificate));
  }
  await authorize(input, request);
  if (asked.reason === REMOVE_FROM_CRL) {
    if (!issuer.revive || !known) throw new RequestRejectedError('badRequest', 'this CA does not take certificates off hold');
    if (!known.revocation) throw new RequestRejectedError('badCertId', 'the certificate is not revoked, so there is nothing to revive');
    if (known.revocation.reason !== CERTIFICATE_HOLD) {
      throw new RequestRejectedError('certRevoked', 'the certificate is revoked for good (only certificateHold can be revived)');
    }
    await issuer.revive(request);
    return { status: 0, statusString: ['certificate revived'] };
  }
  if (known?.revocation) throw new RequestRejectedError('certRevoked', 'the certificate is already revoked');
  await issuer.revoke(request);
  return { status: 0, statusString: ['certificate revoked'] };
}

/**
 * rr (RFC 9483 section 4.2): exactly one RevDetails, checked against the certificate it names,
 * authorised, revoked (or, with removeFromCRL, revived from certificateHold); answered with an rp,
 * refusals included.
 */
export async function handleRevocation(input: HandlerInput): Promise<HandlerOutcome> {
  const { request } = input;
  if (request.body.type !== 'rr') throw new ProtocolError('badRequest', 'not an rr');
  await claimTransactionId(input);
  if (request.body.content.length !== 1) {
    throw new ProtocolError('badRequest', `an rr holds exactly one RevDetails, not ${request.body.content.length}`);
  }
  let status: PKIStatusInfo;
  try {
    status = await revokeOne(input, request.body.content[0] as RevDetails);
  } catch (error) {
    if (!isCmpError(error)) throw error;
    status = { status: 2, failInfo: error.failInfo.length ? [...error.failInfo] : ['badRequest'], statusString: [error.message] };
  }
  return { reply: { body: { type: 'rp', content: { status: [status] } } }, record: null };
}
