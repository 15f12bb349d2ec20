import type { PKIBodyType } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import type { TransactionState } from '../message/transaction-state.js';
import type { ClientContext } from './client-context.js';
import { exchange, type Exchanged } from './exchange.js';

/** Input of {@link pollForResponse}. */
export interface PollOptions {
  /** The certReqId polled for; -1 for a request that has none (rr, genm, p10cr in an error). */
  certReqId: number;
  /** Seconds to wait before the first pollReq. */
  firstCheckAfter: number;
  /** The final response types that end polling. */
  final: readonly PKIBodyType[];
  signal?: AbortSignal | undefined;
  /** When polling started (for the total time bound). */
  startedAt: number;
}

/**
 * Polls (RFC 9810 section 5.3.22, RFC 9483 section 4.4): waits checkAfter, sends pollReq, and
 * repeats while the answer is pollRep, until a final response arrives. Honours the abort signal
 * and the client's total poll timeout.
 */
export async function pollForResponse(
  ctx: ClientContext,
  transaction: TransactionState,
  options: PollOptions,
): Promise<Exchanged> {
  const { runtime } = ctx;
  const deadline = options.startedAt + ctx.pollTimeoutMs;
  let checkAfter = options.firstCheckAfter;
  for (;;) {
    const remaining = deadline - runtime.clock().getTime();
    const waitMs = Math.max(0, checkAfter) * 1000;
    if (waitMs > remaining) {
      throw new ProtocolError(
        'systemUnavail',
        `gave up polling: the server asks to wait ${checkAfter} s more, beyond the poll timeout of ${ctx.pollTimeoutMs / 1000} s`,
      );
    }
    if (waitMs > 0) await runtime.sleep(waitMs, options.signal);
    options.signal?.throwIfAborted();
    const answer = await exchange(
      ctx,
      transaction,
      { type: 'pollReq', content: [{ certReqId: options.certReqId }] },
      ['pollRep', ...options.final],
      { signal: options.signal },
    );
    if (answer.message.body.type !== 'pollRep') return answer;
    const entry = answer.message.body.content.find((rep) => rep.certReqId === options.certReqId);
    if (!entry) {
      throw new ProtocolError('badRequest', `pollRep does not mention certReqId ${options.certReqId}`);
    }
    if (entry.checkAfter < 0) throw new ProtocolError('badDataFormat', `pollRep checkAfter ${entry.checkAfter} is negative`);
    runtime.logger.debug('cmp: poll again', { checkAfter: entry.checkAfter, reason: entry.reason });
    checkAfter = entry.checkAfter;
  }
}
