import type { DecodedPKIMessage } from '@cmpkit/codec';
import type { RequestContext } from '../transport.js';
import type { Authenticated } from './authenticate.js';
import type { Reply } from './respond.js';
import type { ServerContext } from './server-context.js';
import type { TransactionRecord } from './stores.js';

/** What every body handler gets. */
export interface HandlerInput {
  ctx: ServerContext;
  request: DecodedPKIMessage;
  auth: Authenticated;
  context: RequestContext;
  /** The transactionID in hex. */
  transactionId: string;
  now: Date;
}

/**
 * A handler's outcome: the reply, and what becomes of the transaction afterwards (a record to
 * store with the response's senderNonce, or null to end it). A handler that already holds the
 * complete answer (the inner response of a message an RA added its protection to) gives it as
 * `answer` instead of a reply.
 */
export type HandlerOutcome =
  { reply: Reply; record: TransactionRecord | null; answer?: undefined } | { answer: Uint8Array; reply: undefined; record: null };
