import type { PKIBodyType } from '@cmpkit/codec';

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
