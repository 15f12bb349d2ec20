import { encodeBase64, type CertResponse, type PollRep } from '@cmpkit/codec';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import { continueTransaction } from '../transaction-rules.js';
import { certResponseType, finishCertification } from './certification.js';
import { certifiedKeyPairOf, encryptIssued, envelopeIssued, rejection } from './certificate-responses.js';

/**
 * pollReq (RFC 9483 section 4.4): asks the issuer again about each pending request; answers
 * pollRep while any is still pending, else the final certificate response.
 */
export async function handlePollReq(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request, auth } = input;
  if (request.body.type !== 'pollReq') throw new ProtocolError('badRequest', 'not a pollReq');
  const record = await continueTransaction(input, ['pending']);
  const poll = ctx.init.issuer.poll;
  if (!poll) throw new ProtocolError('badRequest', 'the issuer cannot be polled');
  const pollReps: PollRep[] = [];
  const failed: CertResponse[] = [];
  for (const { certReqId } of request.body.content) {
    const entry = record.tickets.find((t) => t.certReqId === certReqId);
    if (!entry) throw new ProtocolError('badCertId', `certReqId ${certReqId} is not waiting in this transaction`);
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
      pollReps.push({ certReqId, checkAfter: result.checkAfter, ...(result.reason ? { reason: [result.reason] } : {}) });
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
    for (const t of record.tickets) {
      if (!pollReps.some((p) => p.certReqId === t.certReqId)) pollReps.push({ certReqId: t.certReqId, checkAfter: 1 });
    }
    return { reply: { body: { type: 'pollRep', content: pollReps } }, record };
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
