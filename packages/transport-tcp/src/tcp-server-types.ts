import type { Server } from 'node:net';
import type { PushChannel, RequestContext } from '@cmpkit/core';
import type { TcpFraming } from './framing.js';

/** The context a TCP server passes to its handler: core's `RequestContext` plus the connection's id. */
export interface TcpRequestContext extends RequestContext {
  /** `'ip:port'` of the peer, the same string as {@link TcpServerConnection.remoteAddress}. */
  remoteAddress: string;
  /** The {@link TcpServerConnection.id} of the connection the request came on. */
  connectionId: string;
  /** Aborted when the connection closes. */
  signal: AbortSignal;
  /**
   * Pushes to this connection ({@link TcpServerConnection.push}): what an announcer of `@cmpkit/core`
   * keeps to reach the end entity that authenticated on it.
   */
  push: PushChannel;
}

/**
 * The handler of a TCP server. Any `CmpHandler` from `@cmpkit/core` fits; a handler that wants
 * to remember which connection an end entity uses (to push announcements to it later) reads
 * `context.connectionId`.
 */
export type TcpCmpHandler = (request: Uint8Array, context: TcpRequestContext) => Promise<Uint8Array>;

/** One accepted connection of a {@link TcpServer}. */
export interface TcpServerConnection {
  /** Unique within its server for the server's lifetime (`'tcp-1'`, `'tcp-2'`, ...). */
  readonly id: string;
  /** `'ip:port'` of the peer (IPv6 in brackets), as in `RequestContext.remoteAddress`. */
  readonly remoteAddress: string;
  /** The framing of the last frame received (`'v10'` before the first); pushes use it. */
  readonly framing: TcpFraming;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;
  /**
   * Sends a PKIMessage the peer did not ask for (an announcement) as a `pkiReq` frame, server to
   * client; the client answers nothing. Resolves when the frame is handed to the kernel; rejects
   * with a `TcpTransportError` when the connection is closed.
   */
  push(message: Uint8Array): Promise<void>;
  /** Closes the connection after what is already written. */
  close(): void;
}

/** A CMP server on `node:net`, from {@link createTcpServer}. */
export interface TcpServer {
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<{ port: number }>;
  /** Stops listening and closes every connection at once (their handlers' signals abort). */
  close(): Promise<void>;
  /** The open connections by id, live. */
  readonly connections: ReadonlyMap<string, TcpServerConnection>;
  /** The `node:net` server (a `node:tls` server with the `tls` option): e.g. `setSecureContext` renews its certificate. */
  readonly server: Server;
}
