import { oids, type PKIStatusInfo } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { isCmpError } from '@cmpkit/codec';
import { ProtocolError } from '../../errors/protocol-error.js';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import { namesEqual } from '../../message/general-names.js';
import { isAuthorizedRa } from '../authorized-ra.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import type { RevocationRequest } from '../issuer.js';
import type { Requester } from '../requester.js';
import { claimTransactionId } from '../transaction-rules.js';

function reasonOf(extensions: readonly { extnID: string; extnValue: Uint8Array }[] | undefined): number | undefined {
  const ext = extensions?.find((e) => e.extnID === oids.id_ce_cRLReasons);
  if (!ext) return undefined;
  const v = ext.extnValue;
  if (v.length !== 3 || v[0] !== 0x0a || v[1] !== 1) throw new ProtocolError('badDataFormat', 'reasonCode is not a one-octet ENUMERATED');
  return v[2];
}

/** Built-in policy: the certificate's holder (its signature, or KEM-based MAC for an ML-KEM certificate), an RA (id-kp-cmcRA), or a shared secret when allowed. */
async function mayRevoke(input: HandlerInput, requester: Requester, request: RevocationRequest): Promise<boolean> {
  if (await isAuthorizedRa(input.ctx, requester)) return true;
  if (requester.kind === 'mac') return input.ctx.policy.allowMacRevocation;
  if (requester.kind !== 'signature' && requester.kind !== 'kem') return false;
  const signer = parseCertificate(requester.certificate);
  return signer.serialNumber === request.serialNumber && (!request.issuer || namesEqual(request.issuer, signer.issuer));
}

/** rr (RFC 9483 section 4.2): authorises and revokes each certificate; answers rp. */
export async function handleRevocation(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request, auth } = input;
  if (request.body.type !== 'rr') throw new ProtocolError('badRequest', 'not an rr');
  if (request.body.content.length === 0) throw new ProtocolError('badRequest', 'rr without RevDetails');
  await claimTransactionId(input);
  const status: PKIStatusInfo[] = [];
  for (const details of request.body.content) {
    try {
      const serialNumber = details.certDetails.serialNumber;
      if (serialNumber === undefined) throw new RequestRejectedError('badCertId', 'RevDetails names no serialNumber');
      const revocation: RevocationRequest = { serialNumber, requester: auth.requester };
      if (details.certDetails.issuer) revocation.issuer = details.certDetails.issuer;
      const reason = reasonOf(details.crlEntryDetails);
      if (reason !== undefined) revocation.reason = reason;
      if (ctx.init.authorizer?.authorizeRevocation) await ctx.init.authorizer.authorizeRevocation(revocation);
      else if (!(await mayRevoke(input, auth.requester, revocation))) {
        throw new RequestRejectedError('notAuthorized', 'only the holder of the certificate or an authorised RA may revoke it');
      }
      await ctx.init.issuer.revoke(revocation);
      status.push({ status: 0 });
    } catch (error) {
      if (!isCmpError(error)) throw error;
      status.push({ status: 2, failInfo: error.failInfo.length ? [...error.failInfo] : ['badRequest'], statusString: [error.message] });
    }
  }
  return { reply: { body: { type: 'rp', content: { status } } }, record: null };
}
