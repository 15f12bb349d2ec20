/** Per-call options every transport honours. */
export interface TransportSendOptions {
  /** Aborts the exchange; the transport rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Moves one DER PKIMessage to the peer and resolves to the DER of its answer. A transport does
 * framing only: it never decodes CMP, never retries and never maps errors to PKIStatus. It rejects
 * with a {@link TransportError} (or `signal.reason` when aborted).
 */
export interface Transport {
  send(request: Uint8Array, options?: TransportSendOptions): Promise<Uint8Array>;
}

/** Plain data a transport passes with a request to the server; never a Node object. */
export interface RequestContext {
  /** The peer's address as the transport saw it (`127.0.0.1:50123`, a URL, ...). */
  remoteAddress?: string;
  /** The DER certificate of a TLS client, when the transport authenticated one. */
  tlsPeerCertificate?: Uint8Array;
  /** The URL path the request came on (HTTP), e.g. `/p/tls-server` selects a certificate profile. */
  path?: string;
  /** Aborted when the peer goes away. */
  signal?: AbortSignal;
  /**
   * Present when the transport can send this peer messages it did not ask for (TCP and WebSocket
   * connections): the way announcements reach an end entity that authenticated on it.
   */
  push?: PushChannel;
}

/**
 * A connection on which the server may send messages unasked (announcements, RFC 9810 5.3.13 to
 * 5.3.16). Plain functions and a promise, so the core stays transport-neutral.
 */
export interface PushChannel {
  /** Unique among the server's connections for its lifetime (e.g. `tcp-3`, `ws-7`). */
  readonly id: string;
  /** Sends one DER PKIMessage; rejects (with the transport's error) when the connection is closed. */
  send(message: Uint8Array): Promise<void>;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;
}

/**
 * The server side of every transport: DER request in, DER response out. It never rejects; every
 * failure is answered with a CMP error message.
 */
export type CmpHandler = (request: Uint8Array, context?: RequestContext) => Promise<Uint8Array>;
