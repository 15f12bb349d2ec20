import type { ConnectionOptions } from 'node:tls';
import type { Transport, TransportSendOptions } from '@cmpkit/core';
import type { TcpFraming } from './framing.js';
import { pollDelayMs } from './internal/check-back.js';
import { ClientConnection } from './internal/client-connection.js';
import { reconnectDelay, reconnectSettings } from './internal/reconnect.js';
import { decodeErrorMsgRep, encodeFrame, encodePollReq, FLAG_CLOSE, MAX_VALUE_BYTES, MessageType, readUint32 } from './internal/frame.js';
import { TcpTransportError } from './tcp-transport-error.js';

/** The IANA port of CMP over TCP (`pkix-3-ca-ra`). */
export const CMP_TCP_PORT = 829;

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_READ_TIMEOUT_MS = 30_000;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_MAX_CONNECTIONS = 32;
/** The shortest wait before a `pollReq`, so a server answering `pollRep` at once cannot make the client spin. */
const MIN_POLL_DELAY_MS = 50;

/** Re-opening the kept-open connection after it was lost; every field has a default. */
export interface TcpReconnectOptions {
  /** The wait before the first attempt, in ms (default 500). */
  initialDelayMs?: number;
  /** The longest wait between attempts, in ms (default 30000). */
  maxDelayMs?: number;
  /** Each wait is the previous one times this (default 2); there is no jitter. */
  factor?: number;
  /** Attempts before giving up until the next send or `connect()` (default `Infinity`). */
  maxAttempts?: number;
}

/** Configuration of {@link tcpTransport}. */
export interface TcpTransportInit {
  /** The CMP server's host name or address. */
  host: string;
  /** Its port (default 829). */
  port?: number;
  /** How long getting a connection may take (waiting for a free one included), in ms (default 10000). */
  connectTimeoutMs?: number;
  /**
   * How long one exchange may take once the request is sent, TCP-level polling included, in ms
   * (default 30000). A `pollRep` asking to come back after this deadline fails the exchange at once.
   */
  readTimeoutMs?: number;
  /**
   * How long a kept-open connection may stay unused before the client closes it, in ms (default
   * 60000; `Infinity` when `onPush` is given, so announcements keep arriving).
   */
  idleTimeoutMs?: number;
  /** The largest message accepted in a received frame, in bytes (default 1 MiB), checked on the announced length. */
  maxMessageBytes?: number;
  /**
   * Keep connections open for later requests (default `true`). With `false`, each request opens a
   * connection, sets the close flag and closes it after the answer.
   */
  reuseConnection?: boolean;
  /**
   * The most connections open at once (default 32). Each exchange has a connection to itself, so
   * this is also the most requests in flight; further sends wait for a free connection.
   */
  maxConnections?: number;
  /** The framing of the frames sent (default `'v10'`); answers are read in either framing. */
  framing?: TcpFraming;
  /**
   * Receives the message of each `pkiReq` frame the server sends unasked on a kept-open
   * connection (a CA's announcement), as DER bytes; nothing is sent back. It must not throw.
   */
  onPush?: (message: Uint8Array) => void;
  /**
   * When the last connection is lost (the server restarted, the network dropped it), open a
   * kept-open connection again with exponential backoff, so the server can push again (with
   * `onPush`, for an end entity waiting for announcements). Only the connection is re-opened:
   * exchanges in flight when it was lost reject and are never sent again. Needs
   * `reuseConnection`. Off by default: then the next send opens a new connection.
   */
  reconnect?: TcpReconnectOptions;
  /**
   * Called each time `connect()` or a reconnection opens the kept-open connection, e.g. to make
   * the server learn again who is on it. It must not throw.
   */
  onConnect?: () => void;
  /** The clock for an absolute time-to-check-back in `pollRep`, ms since 1970 (default `Date.now`). */
  now?: () => number;
  /**
   * Connect with TLS (`node:tls`): `ca` for a private CA (default: Node's trusted roots), `cert`
   * and `key` for a client certificate, `servername` (default: `host` unless it is an IP
   * address). The server's certificate is verified unless `rejectUnauthorized: false`.
   */
  tls?: ConnectionOptions;
}

/** A {@link tcpTransport}: a `Transport` that can also open a connection ahead of time, and close. */
export interface TcpTransport extends Transport {
  /**
   * Opens a kept-open connection now, unless one is idle already, so the server can push
   * announcements before the first request. Needs `reuseConnection`.
   */
  connect(options?: TransportSendOptions): Promise<void>;
  /** Closes every connection; exchanges in flight reject with a {@link TcpTransportError}, later sends too. */
  close(): Promise<void>;
}

/**
 * A `Transport` for CMP over TCP: each request goes in a `pkiReq` frame (draft-ietf-pkix-cmp-tcp-00,
 * version 10, or RFC 2510 framing) and resolves to the message of the `pkiRep` that answers it.
 *
 * Connections: each exchange uses a connection of its own; when it ends the connection is kept
 * for the next request (one idle connection is kept, extra ones close), so sequential requests
 * share one connection and concurrent ones use several (at most `maxConnections`, then they
 * wait). A `pollRep` (TCP-level polling, not CMP's pollReq) makes the client wait until the
 * time-to-check-back and send a `pollReq`, within `readTimeoutMs`. An `errorMsgRep` rejects with
 * a {@link TcpTransportError} carrying its text and code. An answer announced larger than
 * `maxMessageBytes` rejects before its value is read. Nothing is retried; an aborted or failed
 * exchange closes its connection.
 *
 * @example
 * ```ts
 * const transport = tcpTransport({ host: 'ca.example', port: 829 });
 * const answer = await transport.send(requestDer, { signal: AbortSignal.timeout(10_000) });
 * await transport.close();
 * ```
 */
export function tcpTransport(init: TcpTransportInit): TcpTransport {
  const host = init.host;
  if (typeof host !== 'string' || host === '') throw new TypeError('tcp: host must be a non-empty string');
  const port = init.port ?? CMP_TCP_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`tcp: port must be 1..65535: ${port}`);
  const connectTimeoutMs = positive('connectTimeoutMs', init.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const readTimeoutMs = positive('readTimeoutMs', init.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
  const onPush = init.onPush;
  const idleTimeoutMs = positive('idleTimeoutMs', init.idleTimeoutMs ?? (onPush === undefined ? DEFAULT_IDLE_TIMEOUT_MS : Infinity));
  const maxMessageBytes = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1 || maxMessageBytes > MAX_VALUE_BYTES) {
    throw new RangeError(`tcp: maxMessageBytes must be a positive integer below 2^32 - 3: ${maxMessageBytes}`);
  }
  const maxConnections = init.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) {
    throw new RangeError(`tcp: maxConnections must be a positive integer: ${maxConnections}`);
  }
  const reuseConnection = init.reuseConnection ?? true;
  const framing = init.framing ?? 'v10';
  if (framing !== 'v10' && framing !== 'rfc2510') throw new TypeError(`tcp: unknown framing ${String(framing)}`);
  const now = init.now ?? Date.now;
  const target = `${host}:${port}`;
  const reconnect = init.reconnect === undefined ? undefined : reconnectSettings(init.reconnect);
  if (reconnect && !reuseConnection) throw new TypeError('tcp: reconnect keeps a connection open, which needs reuseConnection');
  const onConnect = init.onConnect;

  // The pool: every open or opening connection counts against maxConnections.
  const idle: ClientConnection[] = [];
  const all = new Set<ClientConnection>();
  let opening = 0;
  const slotWaiters: Array<() => void> = [];
  let closed = false;
  /** The pending reconnection attempt, while one is scheduled. */
  let reconnecting: ReturnType<typeof setTimeout> | undefined;

  const wakeOne = (): void => slotWaiters.shift()?.();
  const connectionOptions = {
    host,
    port,
    tls: init.tls,
    maxMessageBytes,
    onPush,
    onClose: (connection: ClientConnection) => {
      all.delete(connection);
      const at = idle.indexOf(connection);
      if (at >= 0) idle.splice(at, 1);
      wakeOne();
      if (reconnect && !closed && all.size === 0 && opening === 0) scheduleReconnect(1);
    },
  };

  /** Opens the kept-open connection and tells `onConnect`. */
  const openKept = async (signal?: AbortSignal): Promise<void> => {
    release(await getConnection(signal, false), true);
    try {
      onConnect?.();
    } catch {
      // onConnect must not throw.
    }
  };

  /** Attempt `attempt` to re-open a connection after the last one was lost, after its backoff delay. */
  const scheduleReconnect = (attempt: number): void => {
    if (!reconnect || reconnecting !== undefined || attempt > reconnect.maxAttempts) return;
    reconnecting = setTimeout(
      () => {
        reconnecting = undefined;
        // A send may have opened a connection meanwhile; it is the one to keep.
        if (closed || all.size > 0 || opening > 0) return;
        openKept().catch(() => scheduleReconnect(attempt + 1));
      },
      reconnectDelay(reconnect, attempt),
    );
  };

  const waitForSlot = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const at = slotWaiters.indexOf(wake);
        if (at >= 0) slotWaiters.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      slotWaiters.push(wake);
    });

  /** A connection of its own for one exchange: an idle one, a new one, or the next one freed. */
  const acquire = async (signal: AbortSignal, useIdle: boolean): Promise<ClientConnection> => {
    for (;;) {
      if (closed) throw closedError();
      signal.throwIfAborted();
      while (useIdle && idle.length > 0) {
        const connection = idle.pop()!;
        if (!connection.closed) {
          connection.busy();
          return connection;
        }
      }
      if (all.size + opening < maxConnections) {
        opening++;
        let connection: ClientConnection;
        try {
          connection = await ClientConnection.open(connectionOptions, signal);
        } finally {
          opening--;
        }
        if (closed) {
          connection.destroy();
          throw closedError();
        }
        if (connection.closed) {
          wakeOne();
          continue;
        }
        all.add(connection);
        return connection;
      }
      await waitForSlot(signal);
    }
  };

  /** Returns a connection after an exchange: kept idle (at most one) or closed. */
  const release = (connection: ClientConnection, reusable: boolean): void => {
    if (connection.closed) return;
    if (!reusable || !reuseConnection || closed || idle.length >= 1) {
      connection.destroy();
      return;
    }
    connection.idle(idleTimeoutMs, onPush !== undefined);
    idle.push(connection);
    wakeOne();
  };

  /** Runs `body` with a signal that aborts on the caller's signal or after `timeoutMs`. */
  const withTimeout = async <T>(
    timeoutMs: number,
    signal: AbortSignal | undefined,
    timeoutError: () => TcpTransportError,
    body: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => controller.abort(timeoutError()), timeoutMs) : undefined;
    try {
      return await body(controller.signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };

  const getConnection = (signal: AbortSignal | undefined, useIdle: boolean): Promise<ClientConnection> =>
    withTimeout(
      connectTimeoutMs,
      signal,
      () => new TcpTransportError(`tcp: no connection to ${target} within ${connectTimeoutMs} ms`),
      (inner) => acquire(inner, useIdle),
    );

  /** Sends the request and reads frames until its answer, polling when the server asks. */
  const exchange = async (
    connection: ClientConnection,
    request: Uint8Array,
    signal: AbortSignal,
  ): Promise<{ answer: Uint8Array; reusable: boolean }> => {
    const deadline = now() + readTimeoutMs;
    // Read while writing: a server refusing a large request answers before it has all of it.
    connection.write(encodeFrame(framing, MessageType.pkiReq, request, reuseConnection ? 0 : FLAG_CLOSE)).catch(() => {
      // A failed write ends the connection; next() reports it.
    });
    for (;;) {
      const frame = await connection.next(signal);
      switch (frame.type) {
        case MessageType.pkiRep: {
          if (frame.value.byteLength === 0) throw new TcpTransportError(`tcp: ${target} answered with an empty pkiRep`);
          return { answer: frame.value, reusable: (frame.flags & FLAG_CLOSE) === 0 };
        }
        case MessageType.pollRep: {
          const reference = readUint32(frame.value, 0);
          const checkBack = readUint32(frame.value, 4);
          if (reference === undefined || checkBack === undefined)
            throw new TcpTransportError(`tcp: ${target} sent a pollRep of ${frame.value.byteLength} octets, expected 8`);
          const delay = Math.max(MIN_POLL_DELAY_MS, pollDelayMs(checkBack, now()));
          if (now() + delay > deadline) {
            throw new TcpTransportError(
              `tcp: ${target} asks to poll again in ${Math.ceil(delay / 1000)} s, after readTimeoutMs (${readTimeoutMs} ms) ends`,
            );
          }
          await sleep(delay, signal);
          await connection.write(encodeFrame(framing, MessageType.pollReq, encodePollReq(reference), reuseConnection ? 0 : FLAG_CLOSE));
          break;
        }
        case MessageType.errorMsgRep: {
          const { errorCode, text } = decodeErrorMsgRep(frame.framing, frame.value);
          const code = errorCode === undefined ? '' : ` (error code 0x${errorCode.toString(16).padStart(4, '0')})`;
          throw new TcpTransportError(
            `tcp: ${target} answered with errorMsgRep${code}: ${text || '(no text)'}`,
            errorCode === undefined ? undefined : { errorCode },
          );
        }
        case MessageType.finRep:
          throw new TcpTransportError(`tcp: ${target} ended the exchange (finRep) without a PKIMessage`);
        default:
          throw new TcpTransportError(
            `tcp: ${target} answered with a frame of type ${frame.type}, expected pkiRep, pollRep or errorMsgRep`,
          );
      }
    }
  };

  const closedError = (): TcpTransportError => new TcpTransportError('tcp: the transport is closed');

  return {
    async send(request: Uint8Array, options?: TransportSendOptions): Promise<Uint8Array> {
      const signal = options?.signal;
      signal?.throwIfAborted();
      if (closed) throw closedError();
      if (request.byteLength > MAX_VALUE_BYTES)
        throw new TcpTransportError(`tcp: a request of ${request.byteLength} octets does not fit a frame`);
      const connection = await getConnection(signal, reuseConnection);
      let reusable = false;
      try {
        const result = await withTimeout(
          readTimeoutMs,
          signal,
          () => new TcpTransportError(`tcp: no answer from ${target} within ${readTimeoutMs} ms`),
          (inner) => exchange(connection, request, inner),
        );
        reusable = result.reusable;
        return result.answer;
      } finally {
        release(connection, reusable);
      }
    },

    async connect(options?: TransportSendOptions): Promise<void> {
      options?.signal?.throwIfAborted();
      if (!reuseConnection) throw new TypeError('tcp: connect() keeps a connection open, which needs reuseConnection');
      if (closed) throw closedError();
      if (idle.some((connection) => !connection.closed)) return;
      await openKept(options?.signal);
    },

    async close(): Promise<void> {
      closed = true;
      if (reconnecting !== undefined) clearTimeout(reconnecting);
      reconnecting = undefined;
      for (const connection of [...all]) connection.destroy(closedError());
      idle.length = 0;
      for (const wake of slotWaiters.splice(0)) wake();
    },
  };
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`tcp: ${name} must be positive: ${value}`);
  return value;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
