import { decodeBase64, type CertStatus } from '@cmpkit/codec';
import { verifyCertHash } from '@cmpkit/protection';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import type { TransactionRecord } from '../stores.js';
import { continueTransaction, finishedRecord } from '../transaction-rules.js';

/**
 * The form of a certConf (RFC 9483 section 4.1, RFC 9810 section 5.3.18): one CertStatus per
 * certificate awaiting confirmation, each naming one of them once, a statusInfo whose status is
 * accepted, grantedWithMods or rejection and whose failInfo comes only with a rejection, and a
 * hashAlg only in cmp2021 (pvno 3).
 *
 * @throws ProtocolError badRequest.
 */
function checkCertConfForm(statuses: readonly CertStatus[], record: TransactionRecord, pvno: number): void {
  if (statuses.length !== record.certificates.length) {
    throw new ProtocolError(
      'badRequest',
      `certConf holds ${statuses.length} CertStatus for ${record.certificates.length} certificate(s) awaiting confirmation`,
    );
  }
  const seen = new Set<number>();
  for (const status of statuses) {
    if (!record.certificates.some((c) => c.certReqId === status.certReqId)) {
      throw new ProtocolError('badRequest', `certConf names certReqId ${status.certReqId}, which has no certificate in this transaction`);
    }
    if (seen.has(status.certReqId)) throw new ProtocolError('badRequest', `certConf names certReqId ${status.certReqId} twice`);
    seen.add(status.certReqId);
    const info = status.statusInfo;
    if (info && info.status !== 0 && info.status !== 1 && info.status !== 2) {
      throw new ProtocolError('badRequest', `a CertStatus status must be accepted, grantedWithMods or rejection, not ${info.status}`);
    }
    if (info && info.status !== 2 && info.failInfo?.length) {
      throw new ProtocolError('badRequest', 'a CertStatus that accepts the certificate carries failInfo');
    }
    if (status.hashAlg && pvno < 3) throw new ProtocolError('badRequest', 'hashAlg in a certConf needs pvno 3 (cmp2021)');
  }
}

/**
 * certConf (RFC 9483 section 4.1): checks the form and each certHash, tells the issuer which
 * certificates were accepted (a rejected or unconfirmed one is revoked by the issuer), answers
 * pkiconf. Any failure ends the transaction too: its certificates are then not confirmed, and
 * revoked.
 */
export async function handleCertConf(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request, transactionId } = input;
  if (request.body.type !== 'certConf') throw new ProtocolError('badRequest', 'not a certConf');
  const record = await continueTransaction(input, ['awaitingConfirm']);
  const issuer = ctx.init.issuer;
  const pending = new Map(record.certificates.map((c) => [c.certReqId, decodeBase64(c.certificate)]));
  let accepted = false;
  try {
    checkCertConfForm(request.body.content, record, request.header.pvno);
    for (const status of request.body.content) {
      const certificate = pending.get(status.certReqId) as Uint8Array;
      pending.delete(status.certReqId);
      try {
        await verifyCertHash(status, certificate, { crypto: ctx.runtime.crypto });
      } catch (error) {
        await issuer.confirm(certificate, false, 'certHash mismatch');
        throw error;
      }
      const info = status.statusInfo;
      const ok = !info || info.status === 0 || info.status === 1;
      accepted ||= ok;
      await issuer.confirm(certificate, ok, ok ? undefined : (info?.statusString?.join('; ') ?? 'rejected by the end entity'));
    }
  } catch (error) {
    for (const certificate of pending.values()) await issuer.confirm(certificate, false, 'not confirmed');
    await ctx.transactions.update(transactionId, finishedRecord(record, { confirmed: accepted }), ctx.policy.transactionTtl);
    throw error;
  }
  return { reply: { body: { type: 'pkiconf', content: null } }, record: finishedRecord(record, { confirmed: accepted }) };
}
