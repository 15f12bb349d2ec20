import { decodeBase64 } from '@cmpkit/codec';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import { continueTransaction, finishedRecord } from '../transaction-rules.js';

/**
 * An error message from the EE ends its transaction (RFC 9810 5.3.21): certificates still
 * awaiting confirmation are rejected (revoked by the issuer); the server answers pkiconf.
 */
export async function handleErrorMessage(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request } = input;
  if (request.body.type !== 'error') throw new ProtocolError('badRequest', 'not an error message');
  const record = await continueTransaction(input, ['pending', 'awaitingConfirm']);
  const text = request.body.content.pKIStatusInfo.statusString?.join('; ') ?? 'the end entity aborted the transaction';
  for (const c of record.certificates) await ctx.init.issuer.confirm(decodeBase64(c.certificate), false, text);
  return { reply: { body: { type: 'pkiconf', content: null } }, record: finishedRecord(record) };
}
