import type { PKIBodyType } from '@cmpkit/codec';
import type { ClientContext } from './client-context.js';

/**
 * The server asked the client to wait (RFC 9810 section 5.3.22): what {@link ClientInit.onWaiting}
 * is told before each wait, so an application can say what is going on while it polls.
 */
export interface PollWait {
  /** The request waited for: ir, cr, kur, p10cr, rr or genm. */
  request: PKIBodyType;
  transactionID: Uint8Array;
  /** Seconds until the next pollReq (0: at once). */
  checkAfter: number;
  /** What the server said: the statusString of its waiting answer, or the reason of its pollRep. */
  reason: string | undefined;
  /** pollReq messages sent so far in this transaction. */
  polls: number;
}

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
