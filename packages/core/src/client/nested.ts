import type { DecodedPKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { bytesEqual } from '../message/bytes.js';
import { randomBytes } from '../message/random.js';
import type { TransactionState } from '../message/transaction-state.js';
import type { ClientContext } from './client-context.js';
import { exchange } from './exchange.js';

/** Per-call options of {@link sendNested}. */
export interface NestedOptions {
  signal?: AbortSignal;
  /**
   * transactionID of the nested message. RFC 9483 section 5.2.2.1: when one message is wrapped,
   * its own transactionID (its senderNonce is then copied too); a batch (section 5.2.2.2) gets a
   * fresh one (the default).
   */
  transactionID?: Uint8Array;
}

/**
 * nested (RFC 9810 section 5.1.3.5, RFC 9483 section 5.2.2): wraps complete PKIMessages (DER) in
 * one nested message with our protection, sends it, and resolves to the inner responses (each
 * with its exact bytes in `raw.message`), in the order of the requests when the peer answered
 * each in order. A nested answer is verified; the inner responses are not: they belong to the end
 * entities.
 *
 * Adding protection to one message (its transactionID given): the nested header copies its
 * transactionID and senderNonce, and the peer may answer with the inner response itself rather
 * than a nested message; that answer is only checked to belong to the message (transactionID,
 * recipNonce) and passed on.
 */
export async function sendNested(
  ctx: ClientContext,
  messages: readonly DecodedPKIMessage[],
  options: NestedOptions = {},
): Promise<DecodedPKIMessage[]> {
  if (messages.length === 0) throw new TypeError('core: a nested message needs at least one message');
  const single = messages.length === 1 ? messages[0] : undefined;
  const added = single && options.transactionID && bytesEqual(options.transactionID, single.header.transactionID) ? single : undefined;
  const transaction: TransactionState = { transactionID: options.transactionID ?? randomBytes(ctx.runtime.crypto, 16) };
  const answer = await exchange(ctx, transaction, { type: 'nested', content: [...messages] }, ['nested'], {
    signal: options.signal,
    ...(added?.header.senderNonce ? { senderNonce: added.header.senderNonce, answerForOthers: true } : {}),
  });
  if (answer.message.body.type !== 'nested') {
    if (added) return [answer.message];
    throw new ProtocolError('badRequest', `expected nested but got ${answer.message.body.type}`);
  }
  return answer.message.body.content as DecodedPKIMessage[];
}
