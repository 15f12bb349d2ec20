import { decodeBase64 } from '@cmpkit/codec';
import { verifyCertHash } from '@cmpkit/protection';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import { continueTransaction } from '../transaction-rules.js';

/**
 * certConf (RFC 9483 section 4.1.1): checks each certHash, tells the issuer which certificates
 * were accepted (a rejected or unconfirmed one is revoked by the issuer), answers pkiconf.
 */
export async function handleCertConf(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request, transactionId } = input;
  if (request.body.type !== 'certConf') throw new ProtocolError('badRequest', 'not a certConf');
  const record = await continueTransaction(input, ['awaitingConfirm']);
  const issuer = ctx.init.issuer;
  const pending = new Map(record.certificates.map((c) => [c.certReqId, decodeBase64(c.certificate)]));
  try {
    for (const status of request.body.content) {
      const certificate = pending.get(status.certReqId);
      if (!certificate) throw new ProtocolError('badCertId', `certConf names certReqId ${status.certReqId}, which has no certificate here`);
      pending.delete(status.certReqId);
      try {
        await verifyCertHash(status, certificate, { crypto: ctx.runtime.crypto });
      } catch (error) {
        await issuer.confirm(certificate, false, 'certHash mismatch');
        throw error;
      }
      const info = status.statusInfo;
      const accepted = !info || info.status === 0 || info.status === 1;
      await issuer.confirm(certificate, accepted, accepted ? undefined : (info?.statusString?.join('; ') ?? 'rejected by the end entity'));
    }
  } finally {
    for (const certificate of pending.values()) await issuer.confirm(certificate, false, 'not confirmed');
    await ctx.transactions.delete(transactionId);
  }
  return { reply: { body: { type: 'pkiconf', content: null } }, record: null };
}
