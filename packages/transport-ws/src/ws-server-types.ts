import type { ConnectionAdmission, PushChannel, RequestContext } from '@cmpkit/core';

/** The context a WebSocket server passes to its handler: core's `RequestContext` plus the connection's id. */
export interface WsRequestContext extends RequestContext {
  /** `'ip:port'` of the peer, the same string as {@link WsServerConnection.remoteAddress}. */
  remoteAddress: string;
  /** The {@link WsServerConnection.id} of the connection the request came on. */
  connectionId: string;
  /** Aborted when the connection closes. */
  signal: AbortSignal;
  /**
   * Pushes to this connection ({@link WsServerConnection.push}): what an announcer of `@cmpkit/core`
   * keeps to reach the end entity that authenticated on it.
   */
  push: PushChannel;
}

/**
 * The handler of a WebSocket server. Any `CmpHandler` from `@cmpkit/core` fits; a handler that
 * wants to remember which connection an end entity uses (to push announcements to it later)
 * reads `context.connectionId`.
 */
export type WsCmpHandler = (request: Uint8Array, context: WsRequestContext) => Promise<Uint8Array>;

/** One accepted connection of a WebSocket CMP server. */
export interface WsServerConnection {
  /** Unique within its server for the server's lifetime (`'ws-1'`, `'ws-2'`, ...). */
  readonly id: string;
  /** `'ip:port'` of the peer (IPv6 in brackets), as in `RequestContext.remoteAddress`. */
  readonly remoteAddress: string;
  /** The `Origin` header of the handshake, when the client sent one (browsers do). */
  readonly origin: string | undefined;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;
  /**
   * Sends a PKIMessage the client did not ask for (an announcement) in a `push` envelope.
   * Resolves when it is written; rejects with a `WsTransportError` when the connection is not open.
   */
  push(message: Uint8Array): Promise<void>;
  /** Starts the closing handshake (default code 1000). */
  close(code?: number, reason?: string): void;
}

/** Options of {@link attachWsServer} (and of `createWsServer`). */
export interface WsServerOptions {
  /**
   * The largest request accepted, in bytes of DER (default 1 MiB). `createWsServer` sets `ws`'s
   * `maxPayload` from it, so a larger message closes the connection with 1009 before it is
   * buffered; `attachWsServer` checks it on each message, so give your `WebSocketServer` a
   * `maxPayload` of `maxMessageBytes + 5` too.
   */
  maxMessageBytes?: number;
  /**
   * Decides whether a handshake's `Origin` (undefined when the client sent none; browsers always
   * send one) may connect. Default: every origin. `createWsServer` refuses with `403`;
   * `attachWsServer` closes the connection with 1008.
   */
  origin?: (origin: string | undefined) => boolean;
  /**
   * Keep-alive: every this many ms each connection is pinged, and terminated when the previous
   * ping got no pong (default 30000; `Infinity` for none). A connection whose client sent a
   * request or a ping of its own since the previous round is not pinged: that traffic shows it
   * alive and keeps idle-timing intermediaries open, so a fleet of clients that ping (as
   * `wsTransport` does) costs the server no pings of its own.
   */
  pingIntervalMs?: number;
  /**
   * Asked for each new connection (e.g. core's `createConnectionRateLimit`, against reconnect
   * storms). `createWsServer` refuses at the handshake with `503` and `Retry-After`;
   * `attachWsServer` closes the accepted connection with 1013 (try again later), the seconds to
   * wait in the reason.
   */
  admit?: ConnectionAdmission;
  /** Told about each accepted connection, e.g. to keep it for pushing announcements. It must not throw. */
  onConnection?: (connection: WsServerConnection) => void;
  /**
   * On a `wss:` server, when the TLS client's certificate goes into `context.tlsPeerCertificate`:
   * `'authorized'` (default) only when Node verified it against the server's `ca`; `'presented'`
   * whenever the client sent one (for a server that checks certificates itself).
   */
  peerCertificate?: 'authorized' | 'presented';
  /**
   * Told when the handler rejects or resolves to something other than non-empty bytes (the client
   * gets an `error` envelope "internal server error", never the detail). It must not throw.
   */
  onError?: (error: unknown, context: WsRequestContext) => void;
}

/** A CMP server on a `WebSocketServer`, from {@link attachWsServer}. */
export interface WsCmpServer {
  /** The open connections by id, live. */
  readonly connections: ReadonlyMap<string, WsServerConnection>;
  /**
   * Stops taking connections and closes the open ones (code 1001, terminated when they have not
   * closed within a second). `attachWsServer` leaves the `WebSocketServer` itself to its owner.
   */
  close(): Promise<void>;
}
