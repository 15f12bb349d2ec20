import type { DecodedPKIMessage, PKIMessage } from '@cmpkit/codec';
import type { RequestContext } from '../transport.js';
import type { Requester } from './requester.js';

/**
 * One message the server engine answered, as told to {@link ServerInit.onExchange}: what was
 * asked, what went back, and why a refusal was made. Metrics and logs read it instead of decoding
 * the request and the response again.
 */
export interface ServerExchange {
  /** The request as decoded; undefined when it did not decode. */
  request: DecodedPKIMessage | undefined;
  /** The request's transactionID, also when only its header decoded. */
  transactionID: Uint8Array | undefined;
  /** The answer as it went back: protected, or the upstream's answer for a relayed request. */
  response: PKIMessage;
  /** Who sent the request, when its protection verified. */
  requester: Requester | undefined;
  /**
   * What the error answer stands for: a `CmpError` (its failInfo bits and message are in the
   * response) or any other error, which the response reports as systemFailure only.
   */
  error?: unknown;
  /** True when the request was passed on (a registration authority's forward or nested mode). */
  relayed: boolean;
  /** 0 for the message received, 1 and more for the messages inside a nested one. */
  depth: number;
  /** The transport's context of the request. */
  context: RequestContext;
}
