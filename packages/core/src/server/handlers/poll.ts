import { encodeBase64, type CertResponse, type PollRep } from '@cmpkit/codec';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import type { TransactionRecord } from '../stores.js';
import { continueTransaction } from '../transaction-rules.js';
import { certResponseType, finishCertification } from './certification.js';
import { certifiedKeyPairOf, encryptIssued, envelopeIssued, rejection } from './certificate-responses.js';

/**
 * The waiting requests a pollReq's certReqId refers to: the CertResponse with that certReqId, or
 * all of them for -1, "the complete response" (RFC 9810 section 5.3.22). A p10cr's waiting
 * CertResponse has certReqId -1; 0 is taken for it as well, as CAs before RFC 9480 used it.
 */
function waitingFor(record: TransactionRecord, certReqId: number): TransactionRecord['tickets'] {
  if (certReqId === -1) return record.tickets;
  return record.tickets.filter((t) => t.certReqId === certReqId || (record.bodyType === 'p10cr' && certReqId === 0));
}

/**
 * pollReq (RFC 9483 section 4.4): exactly one certReqId, of a request that is waiting in this
 * transaction (else badRequest, badCertId); asks the issuer again about it; answers pollRep (with
 * the certReqId asked for) while it is still pending, else the final certificate response.
 * Continuing a transaction that waits for nothing (not open, or awaiting certConf) is badRequest.
 */
export async function handlePollReq(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request, auth } = input;
  if (request.body.type !== 'pollReq') throw new ProtocolError('badRequest', 'not a pollReq');
  const record = await continueTransaction(input, ['pending']);
  const poll = ctx.init.issuer.poll;
  if (!poll) throw new ProtocolError('badRequest', 'the issuer cannot be polled');
  if (request.body.content.length !== 1) {
    throw new ProtocolError(
      'badRequest',
      `a pollReq carries exactly one certReqId (RFC 9483 section 4.4), not ${request.body.content.length}`,
    );
  }
  const asked = request.body.content[0]!.certReqId;
  const entries = waitingFor(record, asked);
  if (entries.length === 0) throw new ProtocolError('badCertId', `certReqId ${asked} is not waiting in this transaction`);
  const pollReps: PollRep[] = [];
  const failed: CertResponse[] = [];
  for (const entry of entries) {
    const { certReqId } = entry;
    let result;
    try {
      result = await poll.call(ctx.init.issuer, entry.ticket, auth.requester);
    } catch (error) {
      record.tickets = record.tickets.filter((t) => t !== entry);
      failed.push(rejection(certReqId, error, input));
      continue;
    }
    if (result.status === 'pending') {
      entry.ticket = result.ticket;
      pollReps.push({ certReqId: asked, checkAfter: result.checkAfter, ...(result.reason ? { reason: [result.reason] } : {}) });
      continue;
    }
    record.tickets = record.tickets.filter((t) => t !== entry);
    let envelopedKey: Uint8Array | undefined;
    let encryptedCert: Uint8Array | undefined;
    try {
      envelopedKey = result.privateKeyPkcs8 ? await envelopeIssued(input, result.privateKeyPkcs8, result.certificate) : undefined;
      encryptedCert = entry.encrCert ? await encryptIssued(input, result.certificate) : undefined;
    } catch (error) {
      failed.push(rejection(certReqId, error, input));
      continue;
    }
    record.certificates.push({
      certReqId,
      certificate: encodeBase64(result.certificate),
      ...(envelopedKey ? { envelopedKey: encodeBase64(envelopedKey) } : {}),
      ...(encryptedCert ? { encryptedCert: encodeBase64(encryptedCert) } : {}),
      ...(result.modified ? { modified: true } : {}),
    });
    if (result.chain?.length) record.extraCerts = result.chain.map(encodeBase64);
    if (result.caPubs?.length) record.caPubs = result.caPubs.map(encodeBase64);
  }
  if (record.tickets.length > 0) {
    // What the issuer just answered, or (another request of the transaction still waits) soon.
    const reply = pollReps.length ? pollReps.slice(0, 1) : [{ certReqId: asked, checkAfter: 1 }];
    return { reply: { body: { type: 'pollRep', content: reply } }, record };
  }
  const responses: CertResponse[] = [
    ...failed,
    ...record.certificates.map((c): CertResponse => ({
      certReqId: c.certReqId,
      status: { status: c.modified ? 1 : 0 },
      certifiedKeyPair: certifiedKeyPairOf(c),
    })),
  ].sort((a, b) => a.certReqId - b.certReqId);
  return finishCertification(input, certResponseType(record.bodyType as never), responses, record);
}
