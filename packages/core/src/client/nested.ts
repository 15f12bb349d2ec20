import type { DecodedPKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { randomBytes } from '../message/random.js';
import type { TransactionState } from '../message/transaction-state.js';
import type { ClientContext } from './client-context.js';
import { exchange } from './exchange.js';

/** Per-call options of {@link sendNested}. */
export interface NestedOptions {
  signal?: AbortSignal;
  /**
   * transactionID of the nested message. RFC 9483 section 5.2.2.1: when one message is wrapped,
   * its own transactionID; a batch (section 5.2.2.2) gets a fresh one (the default).
   */
  transactionID?: Uint8Array;
}

/**
 * nested (RFC 9810 section 5.1.3.5, RFC 9483 section 5.2.2): wraps complete PKIMessages (DER) in
 * one nested message with our protection, sends it, verifies the nested response, and resolves
 * to the inner responses (each with its exact bytes in `raw.message`), in the order of the
 * requests when the peer answered each in order. The inner responses are not verified here: they
 * belong to the end entities.
 */
export async function sendNested(
  ctx: ClientContext,
  messages: readonly DecodedPKIMessage[],
  options: NestedOptions = {},
): Promise<DecodedPKIMessage[]> {
  if (messages.length === 0) throw new TypeError('core: a nested message needs at least one message');
  const transaction: TransactionState = { transactionID: options.transactionID ?? randomBytes(ctx.runtime.crypto, 16) };
  const answer = await exchange(ctx, transaction, { type: 'nested', content: [...messages] }, ['nested'], { signal: options.signal });
  if (answer.message.body.type !== 'nested') throw new ProtocolError('badRequest', `expected nested but got ${answer.message.body.type}`);
  return answer.message.body.content as DecodedPKIMessage[];
}
