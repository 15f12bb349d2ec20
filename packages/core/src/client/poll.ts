import type { GeneralName, PKIBodyType } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import type { TransactionState } from '../message/transaction-state.js';
import type { ClientContext } from './client-context.js';
import { exchange, type Exchanged } from './exchange.js';
import type { PollWait } from './poll-wait.js';

/** Tells the `onWaiting` hook; its failures only reach the log. */
export function tellWaiting(ctx: ClientContext, wait: PollWait): void {
  const hook = ctx.init.onWaiting;
  if (!hook) return;
  try {
    hook(wait);
  } catch (error) {
    ctx.runtime.logger.error('cmp: onWaiting failed', { error: String(error) });
  }
}

/** PKIFreeText as one line. */
export function freeText(text: readonly string[] | undefined): string | undefined {
  return text?.length ? text.join('; ') : undefined;
}

/** What one pollReq brought: the final response, or how long to wait before the next pollReq and why. */
export type PollOutcome = { final: Exchanged } | { checkAfter: number; reason: string | undefined };

/** Input of {@link pollOnce}. */
export interface PollOnceOptions {
  /** The certReqId polled for; -1 for a request that has none (rr, genm, p10cr). */
  certReqId: number;
  /** The final response types that end polling. */
  final: readonly PKIBodyType[];
  signal?: AbortSignal | undefined;
  /** pvno of the pollReq when the transaction uses another than the client's. */
  pvno?: number | undefined;
  /** header.sender of the transaction when the client has no fixed one. */
  sender?: GeneralName | undefined;
}

/**
 * Sends one pollReq (RFC 9810 section 5.3.22, RFC 9483 section 4.4) and returns the final
 * response, or the checkAfter of a pollRep. Never sleeps.
 */
export async function pollOnce(ctx: ClientContext, transaction: TransactionState, options: PollOnceOptions): Promise<PollOutcome> {
  const answer = await exchange(
    ctx,
    transaction,
    { type: 'pollReq', content: [{ certReqId: options.certReqId }] },
    ['pollRep', ...options.final],
    {
      signal: options.signal,
      ...(options.pvno !== undefined ? { pvno: options.pvno } : {}),
      ...(options.sender ? { sender: options.sender } : {}),
    },
  );
  if (answer.message.body.type !== 'pollRep') return { final: answer };
  const entry = answer.message.body.content.find((rep) => rep.certReqId === options.certReqId);
  if (!entry) throw new ProtocolError('badRequest', `pollRep does not mention certReqId ${options.certReqId}`);
  if (entry.checkAfter < 0) throw new ProtocolError('badDataFormat', `pollRep checkAfter ${entry.checkAfter} is negative`);
  ctx.runtime.logger.debug('cmp: poll again', { checkAfter: entry.checkAfter, reason: entry.reason });
  return { checkAfter: entry.checkAfter, reason: freeText(entry.reason) };
}

/**
 * Refuses to wait `checkAfter` seconds more when that would end beyond the client's total poll
 * timeout, counted from `startedAt` (ms). Checked before every wait, so no time is wasted on a
 * poll that could not be made in time.
 */
export function checkPollBudget(ctx: ClientContext, startedAt: number, checkAfter: number): void {
  const remaining = startedAt + ctx.pollTimeoutMs - ctx.runtime.clock().getTime();
  if (checkAfter * 1000 > remaining) {
    throw new ProtocolError(
      'systemUnavail',
      `gave up polling: the server asks to wait ${checkAfter} s more, beyond the poll timeout of ${ctx.pollTimeoutMs / 1000} s`,
    );
  }
}

/** Input of {@link pollForResponse}. */
export interface PollOptions extends PollOnceOptions {
  /** The request waited for (rr, genm), for the `onWaiting` hook. */
  request: PKIBodyType;
  transactionID: Uint8Array;
  /** Seconds to wait before the first pollReq. */
  firstCheckAfter: number;
  /** What the server's waiting answer said. */
  firstReason: string | undefined;
  /** When the transaction started (ms since the epoch), for the total time bound. */
  startedAt: number;
}

/**
 * Polls until a final response arrives: waits checkAfter (with the injected sleep), sends
 * pollReq, and repeats while the answer is pollRep. Honours the abort signal and the client's
 * total poll timeout.
 */
export async function pollForResponse(ctx: ClientContext, transaction: TransactionState, options: PollOptions): Promise<Exchanged> {
  let checkAfter = options.firstCheckAfter;
  let reason = options.firstReason;
  for (let polls = 0; ; polls++) {
    checkPollBudget(ctx, options.startedAt, checkAfter);
    tellWaiting(ctx, { request: options.request, transactionID: options.transactionID, checkAfter, reason, polls });
    if (checkAfter > 0) await ctx.runtime.sleep(checkAfter * 1000, options.signal);
    options.signal?.throwIfAborted();
    const outcome = await pollOnce(ctx, transaction, options);
    if ('final' in outcome) return outcome.final;
    ({ checkAfter, reason } = outcome);
  }
}
