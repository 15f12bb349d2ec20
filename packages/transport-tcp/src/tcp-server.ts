import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { ConnectionAdmission } from '@cmpkit/core';
import { TcpErrorCode } from './framing.js';
import { ServerConnection, type ServerConnectionOptions } from './internal/server-connection.js';
import { encodeErrorMsgRep, encodeFrame, FLAG_CLOSE, MAX_VALUE_BYTES, MessageType } from './internal/frame.js';
import type { TcpCmpHandler, TcpRequestContext, TcpServer, TcpServerConnection } from './tcp-server-types.js';

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
const DEFAULT_READ_TIMEOUT_MS = 30_000;

/** Configuration of {@link createTcpServer}. */
export interface TcpServerInit {
  /** Answers each request; a `CmpHandler` from `@cmpkit/core` fits. It should never reject. */
  handle: TcpCmpHandler;
  /**
   * The largest message accepted in a frame, in bytes (default 1 MiB). A larger announced length
   * is answered with `errorMsgRep` and the connection closed, before any of the message is kept.
   */
  maxMessageBytes?: number;
  /**
   * How long a connection may stay without a frame in progress or a request being handled, in ms
   * (default 300000; `Infinity` for none). Raise it where clients wait for pushed announcements.
   */
  idleTimeoutMs?: number;
  /** How long a started frame may take to arrive completely, in ms (default 30000). */
  readTimeoutMs?: number;
  /**
   * TCP-level polling (draft-ietf-pkix-cmp-tcp-00, RFC 2510): when the handler has not answered
   * within `afterMs`, the server sends `pollRep` with a polling reference and a time-to-check-back
   * `checkAfterSeconds` (default 1) from now, and answers the client's `pollReq` with the `pkiRep`
   * once the handler is done. References are valid on their connection only. Off by default.
   */
  polling?: { afterMs: number; checkAfterSeconds?: number };
  /** The clock for time-to-check-back, ms since 1970 (default `Date.now`). */
  now?: () => number;
  /**
   * Told when the handler rejects or resolves to something other than non-empty bytes (the
   * client gets `errorMsgRep` "internal server error", never the detail). It must not throw.
   */
  onError?: (error: unknown, context: TcpRequestContext) => void;
  /** Told about each accepted connection, e.g. to keep it for pushing announcements. It must not throw. */
  onConnection?: (connection: TcpServerConnection) => void;
  /**
   * Asked for each new connection (e.g. core's `createConnectionRateLimit`, against reconnect
   * storms): one it does not take is answered with `errorMsgRep` `busy` (the seconds to wait as
   * data) and closed before anything else is spent on it (with `tls`, after the handshake, so the
   * answer is readable).
   */
  admit?: ConnectionAdmission;
  /**
   * Serve CMP over TLS (`node:tls`): the server's `key` and `cert` (and `ca`, `requestCert`,
   * `rejectUnauthorized` for client certificates). Frames flow once the handshake is done. To
   * renew the certificate later, call `setSecureContext` on {@link TcpServer.server}.
   */
  tls?: TlsOptions;
  /**
   * When a TLS client's certificate goes into `context.tlsPeerCertificate`: `'authorized'`
   * (default) only when Node verified it against `tls.ca`; `'presented'` whenever the client sent
   * one (for a server with `rejectUnauthorized: false` that checks certificates itself).
   */
  peerCertificate?: 'authorized' | 'presented';
}

/**
 * A CMP server over TCP on `node:net`. Each `pkiReq` frame is handed to `handle` and answered
 * with a `pkiRep` frame carrying its bytes, in the framing of the request: version 10
 * (draft-ietf-pkix-cmp-tcp-00) or RFC 2510, told apart by the octet after the length (10, or a
 * message type 0..6). A connection carries any number of requests, answered in order.
 *
 * Refusals: an announced length over `maxMessageBytes`, a version octet that is neither, or a
 * length too short for the header is answered with `errorMsgRep` and the connection is closed;
 * an empty `pkiReq`, an unexpected message type or an unknown polling reference gets
 * `errorMsgRep` and the connection stays open. A handler failure is answered with `errorMsgRep`
 * "internal server error" and reported to `onError`.
 *
 * Each connection (`connections`, `onConnection`) can `push` announcements to its client.
 *
 * With `tls` it serves CMP over TLS; the handler's context then carries the client's certificate
 * (`tlsPeerCertificate`) when one was verified.
 *
 * @example
 * ```ts
 * const server = createTcpServer({ handle: cmpServer.handle, idleTimeoutMs: Infinity });
 * const { port } = await server.listen(829, '0.0.0.0');
 * // later: push a caKeyUpdAnn to the connection an end entity last used
 * await server.connections.get(connectionId)?.push(announcementDer);
 * ```
 */
export function createTcpServer(init: TcpServerInit): TcpServer {
  if (typeof init.handle !== 'function') throw new TypeError('tcp: handle must be a function');
  const maxMessageBytes = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1 || maxMessageBytes > MAX_VALUE_BYTES) {
    throw new RangeError(`tcp: maxMessageBytes must be a positive integer below 2^32 - 3: ${maxMessageBytes}`);
  }
  const idleTimeoutMs = positive('idleTimeoutMs', init.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  const readTimeoutMs = positive('readTimeoutMs', init.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
  let polling: ServerConnectionOptions['polling'];
  if (init.polling !== undefined) {
    const afterMs = init.polling.afterMs;
    const checkAfterSeconds = init.polling.checkAfterSeconds ?? 1;
    if (!(afterMs >= 0) || !Number.isFinite(afterMs)) throw new RangeError(`tcp: polling.afterMs must be a finite number >= 0: ${afterMs}`);
    if (!Number.isInteger(checkAfterSeconds) || checkAfterSeconds < 0) {
      throw new RangeError(`tcp: polling.checkAfterSeconds must be an integer >= 0: ${checkAfterSeconds}`);
    }
    polling = { afterMs, checkAfterSeconds };
  }
  const connections = new Map<string, ServerConnection>();
  const options: ServerConnectionOptions = {
    handle: init.handle,
    maxMessageBytes,
    idleTimeoutMs,
    readTimeoutMs,
    polling,
    now: init.now ?? Date.now,
    onError: init.onError,
    onClosed: (connection) => {
      connections.delete(connection.id);
    },
    peerCertificate: init.peerCertificate ?? 'authorized',
  };
  const onConnection = init.onConnection;

  let counter = 0;
  const admit = init.admit;
  const accept = (socket: Socket): void => {
    if (admit && !admitted(admit, socket)) return;
    const id = `tcp-${++counter}`;
    const connection = new ServerConnection(id, socket, options);
    connections.set(id, connection);
    try {
      onConnection?.(connection);
    } catch {
      // onConnection must not throw; the connection is served anyway.
    }
  };
  const server: Server = init.tls ? createTlsServer(init.tls, accept) : createServer(accept);
  // A failed TLS handshake ends that connection only.
  server.on('tlsClientError', () => {});

  return {
    connections,
    server,
    listen(port: number, host?: string): Promise<{ port: number }> {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        for (const connection of connections.values()) connection.destroy();
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
      });
    },
  };
}

/** Whether `admit` takes the connection; if not, tells the peer when to come back and closes. */
function admitted(admit: ConnectionAdmission, socket: Socket): boolean {
  const address = socket.remoteAddress ?? 'unknown';
  const decision = admit(`${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? 0}`);
  if (decision.admitted) return true;
  const wait = new Uint8Array(4);
  new DataView(wait.buffer).setUint32(0, decision.retryAfterSeconds);
  const text = `too many new connections; try again in ${decision.retryAfterSeconds} s`;
  socket.on('error', () => {});
  socket.end(encodeFrame('v10', MessageType.errorMsgRep, encodeErrorMsgRep('v10', TcpErrorCode.busy, text, wait), FLAG_CLOSE));
  setTimeout(() => socket.destroy(), 2_000).unref();
  return false;
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`tcp: ${name} must be positive: ${value}`);
  return value;
}
