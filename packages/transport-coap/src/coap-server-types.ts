import type { PushChannel, RequestContext } from '@cmpkit/core';
import type { TransmissionParameters } from './internal/transmission.js';

/** The carrier of a CoAP session: UDP (RFC 7252), TCP or WebSocket (RFC 8323). */
export type CoapCarrier = 'udp' | 'tcp' | 'ws';

/** The context a CoAP server passes to its handler: core's `RequestContext` plus the session. */
export interface CoapRequestContext extends RequestContext {
  /** `'ip:port'` of the peer (IPv6 in brackets). */
  remoteAddress: string;
  /** The {@link CoapServerSession.id} of the session the request came on (`coap-udp-1`, `coap-tcp-2`, ...). */
  connectionId: string;
  /** The path below the CMP base path: `''` or `'/p/<label>'`, as over HTTP. */
  path: string;
  /** Aborted when the session ends. */
  signal: AbortSignal;
  /**
   * Pushes to this session's announcement observation ({@link CoapServerSession.notify}): what an
   * announcer of `@cmpkit/core` keeps to reach the end entity that authenticated here.
   */
  push: PushChannel;
  /** The carrier the request came on. */
  carrier: CoapCarrier;
}

/** The handler of a CoAP server. Any `CmpHandler` from `@cmpkit/core` fits. */
export type CoapCmpHandler = (request: Uint8Array, context: CoapRequestContext) => Promise<Uint8Array>;

/**
 * One peer of a CoAP server: a UDP endpoint (address and port) or a TCP/WebSocket connection. It
 * holds the peer's block-wise transfers in progress and its announcement observation.
 */
export interface CoapServerSession {
  /** Unique within its server for the server's lifetime. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly carrier: CoapCarrier;
  /** True while the peer observes announcements (RFC 7641 registration on `<base>/ann`). */
  readonly observing: boolean;
  /** Resolves when the session has ended. */
  readonly closed: Promise<void>;
  /**
   * Sends a PKIMessage as an announcement notification (2.05 Content, Content-Format 259). Over
   * UDP it is confirmable and resolves on the peer's acknowledgement (a body of several blocks:
   * when the peer fetched the last block); over TCP and WebSocket when written. Without an
   * observation it waits up to `observeWaitMs` for one, then rejects with a `CoapTransportError`.
   */
  notify(message: Uint8Array): Promise<void>;
  /**
   * Ends the session: its handlers' signals abort, requests in flight are answered 5.03, its
   * observation ends; a TCP or WebSocket connection closes.
   */
  close(): void;
}

/** Options of {@link createCoapServer}. */
export interface CoapServerOptions {
  /** The largest request body accepted, in bytes of DER (default 1 MiB): 4.13 with Size1 beyond. */
  maxMessageBytes?: number;
  /** The CMP base path (default `/.well-known/cmp`); `<base>/p/<label>` and `<base>/ann` are served too. */
  basePath?: string;
  /** The block size of responses and notifications over UDP: 16..1024, a power of two (default 1024). */
  blockSize?: number;
  /** UDP retransmission parameters (RFC 7252 section 4.8). */
  transmission?: Partial<TransmissionParameters>;
  /**
   * Over UDP, an answer ready within this many ms goes piggybacked in the ACK; after it an empty
   * ACK is sent and the answer follows as a separate confirmable response (default 500).
   */
  piggybackMs?: number;
  /** How long a push waits for the peer to register its observation (default 5000 ms). */
  observeWaitMs?: number;
  /** How long a block-wise body (request or response) is held between two blocks (default 60000 ms). */
  bodyTimeoutMs?: number;
  /** A UDP session without traffic or observation ends after this long; a TCP/WebSocket connection is pinged (default 300000 ms). */
  idleTimeoutMs?: number;
  /** Most deduplication entries kept for UDP (EXCHANGE_LIFETIME), the oldest dropped beyond (default 20000). */
  maxExchanges?: number;
  /** Told of each new session. It must not throw. */
  onSession?: (session: CoapServerSession) => void;
  /**
   * Told when the handler rejects or resolves to something other than non-empty bytes (the peer
   * gets 5.00 "internal server error", never the detail). It must not throw.
   */
  onError?: (error: unknown, context: CoapRequestContext) => void;
}
