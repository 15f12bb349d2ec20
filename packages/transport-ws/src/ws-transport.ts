import type { Transport, TransportSendOptions } from '@cmpkit/core';
import { WS_SUBPROTOCOL, WsEnvelopeKind } from './envelope.js';
import { type Backoff, backoffDelay } from './internal/backoff.js';
import { CloseCode, decodeEnvelope, ENVELOPE_HEADER_BYTES, encodeEnvelope, errorText, MAX_ID } from './internal/envelope.js';
import type { WebSocketConstructor, WebSocketLike } from './websocket-like.js';
import { WsTransportError } from './ws-transport-error.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_PING_INTERVAL_MS = 30_000;
const OPEN = 1;

/** Automatic reconnection after the connection is lost; every field has a default. */
export interface WsReconnectOptions {
  /** The wait before the first attempt, in ms (default 500). */
  initialDelayMs?: number;
  /** The longest wait between attempts, in ms (default 30000). */
  maxDelayMs?: number;
  /** Each wait is the previous one times this (default 2); there is no jitter. */
  factor?: number;
  /** Attempts before giving up until the next send (default `Infinity`). */
  maxAttempts?: number;
}

/** Configuration of {@link wsTransport}. */
export interface WsTransportInit {
  /** The server's URL, `ws:` or `wss:`. */
  url: string | URL;
  /**
   * The `WebSocket` constructor (default: the `ws` package on Node, the global `WebSocket` in
   * browsers). It is called as `new WebSocket(url, protocols)`.
   */
  WebSocket?: WebSocketConstructor;
  /** The subprotocols offered (default `['cmp']`); it must contain `'cmp'`, which the server must select. */
  protocols?: string[];
  /** The largest answer or push accepted, in bytes of DER (default 1 MiB); a larger message closes the connection. */
  maxMessageBytes?: number;
  /** How long one send may take, connecting included, in ms (default 30000; `Infinity` for none). */
  timeoutMs?: number;
  /**
   * Keep-alive: every this many ms the client pings the server and closes the connection when
   * the previous ping got no pong (default 30000; `Infinity` for none). Needs a `WebSocket` with
   * `ping()` (the `ws` package); browsers cannot send pings and rely on the server's.
   */
  pingIntervalMs?: number;
  /**
   * Reconnect with exponential backoff when an open connection is lost. Only the connection is
   * re-established: requests in flight when it was lost reject with a {@link WsTransportError}
   * and are never sent again. Sends made meanwhile wait for the new connection. Off by default:
   * then the next send opens a new connection.
   */
  reconnect?: WsReconnectOptions;
  /** Receives the DER of each PKIMessage the server pushes (an announcement). It must not throw. */
  onPush?: (message: Uint8Array) => void;
  /** Called each time a connection opens (the first and each reconnection), e.g. to make the server learn it again. It must not throw. */
  onConnect?: () => void;
}

/** A {@link wsTransport}: a `Transport` on one WebSocket, which can open ahead of time, and close. */
export interface WsTransport extends Transport {
  /** Opens the connection now (so the server can push before the first request); resolves when it is open. */
  connect(options?: TransportSendOptions): Promise<void>;
  /** Closes the connection and stops reconnecting; requests in flight and later sends reject with a {@link WsTransportError}. */
  close(): Promise<void>;
}

interface Pending {
  /** The connection the request went on. */
  ws: WebSocketLike;
  resolve(answer: Uint8Array): void;
  reject(error: unknown): void;
}

/** Builds the client on a `WebSocket` constructor; `defaultWebSocket` is the entry point's default. */
export function createWsTransport(
  init: WsTransportInit,
  defaultWebSocket: (maxPayload: number) => WebSocketConstructor | undefined,
): WsTransport {
  const url = new URL(init.url);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new TypeError(`ws: the URL must be ws: or wss:, not ${url.protocol}`);
  const target = url.href;
  const protocols = init.protocols ?? [WS_SUBPROTOCOL];
  if (!protocols.includes(WS_SUBPROTOCOL)) throw new TypeError(`ws: protocols must include "${WS_SUBPROTOCOL}"`);
  const maxMessageBytes = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw new RangeError(`ws: maxMessageBytes must be a positive integer: ${maxMessageBytes}`);
  }
  const maxPayload = maxMessageBytes + ENVELOPE_HEADER_BYTES;
  const WebSocketImpl = init.WebSocket ?? defaultWebSocket(maxPayload);
  if (typeof WebSocketImpl !== 'function') throw new TypeError('ws: no WebSocket here: pass one in WsTransportInit.WebSocket');
  const timeoutMs = positive('timeoutMs', init.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const pingIntervalMs = positive('pingIntervalMs', init.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
  const backoff = init.reconnect === undefined ? undefined : resolveBackoff(init.reconnect);
  const onPush = init.onPush;
  const onConnect = init.onConnect;

  let socket: WebSocketLike | undefined;
  let connecting: Promise<WebSocketLike> | undefined;
  let reconnecting: { promise: Promise<WebSocketLike>; cancel(): void } | undefined;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  const closedError = (): WsTransportError => new WsTransportError('ws: the transport is closed');

  /** Rejects the requests in flight on `ws` (all of them when `ws` is undefined). */
  const failPending = (error: WsTransportError, ws?: WebSocketLike): void => {
    for (const [id, entry] of pending) {
      if (ws !== undefined && entry.ws !== ws) continue;
      pending.delete(id);
      entry.reject(error);
    }
  };

  /** Opens one connection; resolves once it is open with the `cmp` subprotocol, and wires it up. */
  const open = (): Promise<WebSocketLike> =>
    new Promise((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = new WebSocketImpl(target, protocols);
      } catch (error) {
        reject(
          new WsTransportError(`ws: cannot connect to ${target}: ${describe(error)}`, {
            cause: error,
          }),
        );
        return;
      }
      ws.binaryType = 'arraybuffer';
      const cleanup = (): void => {
        ws.removeEventListener('open', onOpen);
        ws.removeEventListener('error', onError);
        ws.removeEventListener('close', onCloseEarly);
      };
      const onOpen = (): void => {
        cleanup();
        if (ws.protocol !== WS_SUBPROTOCOL) {
          ws.close(CloseCode.protocolError, `subprotocol ${WS_SUBPROTOCOL} required`);
          reject(new WsTransportError(`ws: ${target} did not select the subprotocol "${WS_SUBPROTOCOL}"`));
          return;
        }
        if (closed) {
          ws.close(CloseCode.normal);
          reject(closedError());
          return;
        }
        wire(ws);
        resolve(ws);
      };
      const onError = (event: { message?: unknown; error?: unknown }): void => {
        cleanup();
        const detail = typeof event?.message === 'string' && event.message !== '' ? `: ${event.message}` : '';
        reject(new WsTransportError(`ws: cannot connect to ${target}${detail}`, { cause: event?.error }));
        try {
          ws.close();
        } catch {
          // already closing
        }
      };
      const onCloseEarly = (event: { code?: number }): void => {
        cleanup();
        reject(
          new WsTransportError(`ws: ${target} closed the connection while opening it (code ${event?.code ?? 1006})`, closeCodeOf(event)),
        );
      };
      ws.addEventListener('open', onOpen);
      ws.addEventListener('error', onError);
      ws.addEventListener('close', onCloseEarly);
    });

  /** Listens to an open connection: answers, errors, pushes, close, keep-alive. */
  const wire = (ws: WebSocketLike): void => {
    socket = ws;
    let alive = true;
    let pinger: ReturnType<typeof setInterval> | undefined;
    let closedByUs: WsTransportError | undefined;
    const drop = (code: number, reason: string, error: WsTransportError): void => {
      closedByUs ??= error;
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    };
    const onMessage = (event: { data?: unknown }): void => {
      alive = true;
      const data = event?.data;
      if (!(data instanceof ArrayBuffer)) {
        drop(
          CloseCode.unsupportedData,
          'binary messages only',
          new WsTransportError(`ws: ${target} sent a text message; the subprotocol is binary`),
        );
        return;
      }
      if (data.byteLength > maxPayload) {
        drop(
          CloseCode.messageTooBig,
          'message too big',
          new WsTransportError(
            `ws: ${target} sent a message of ${data.byteLength - ENVELOPE_HEADER_BYTES} octets, more than maxMessageBytes (${maxMessageBytes})`,
          ),
        );
        return;
      }
      const envelope = decodeEnvelope(new Uint8Array(data));
      if (envelope === undefined) {
        drop(
          CloseCode.protocolError,
          'malformed envelope',
          new WsTransportError(`ws: ${target} sent a message shorter than the envelope header`),
        );
        return;
      }
      switch (envelope.kind) {
        case WsEnvelopeKind.response: {
          const entry = pending.get(envelope.id);
          if (entry === undefined || entry.ws !== ws) return; // the answer to a request that was aborted or timed out
          pending.delete(envelope.id);
          if (envelope.payload.byteLength === 0) entry.reject(new WsTransportError(`ws: ${target} answered with an empty message`));
          else entry.resolve(envelope.payload);
          return;
        }
        case WsEnvelopeKind.error: {
          const entry = pending.get(envelope.id);
          if (entry === undefined || entry.ws !== ws) return;
          pending.delete(envelope.id);
          entry.reject(new WsTransportError(`ws: ${target} could not answer: ${errorText(envelope.payload) || '(no text)'}`));
          return;
        }
        case WsEnvelopeKind.push:
          if (envelope.payload.byteLength === 0) return;
          try {
            onPush?.(envelope.payload);
          } catch {
            // onPush must not throw; a throw does not disturb the connection.
          }
          return;
        default:
          drop(
            CloseCode.protocolError,
            'unexpected message kind',
            new WsTransportError(`ws: ${target} sent a message of kind ${envelope.kind}`),
          );
      }
    };
    const onClose = (event: { code?: number; reason?: unknown }): void => {
      ws.removeEventListener('message', onMessage);
      ws.removeEventListener('close', onClose);
      ws.removeEventListener('error', onError);
      if (pinger !== undefined) clearInterval(pinger);
      const current = socket === ws;
      if (current) socket = undefined;
      const code = event?.code ?? CloseCode.abnormal;
      const reason = typeof event?.reason === 'string' && event.reason !== '' ? `: ${event.reason}` : '';
      failPending(
        closedByUs ??
          new WsTransportError(`ws: the connection to ${target} closed (code ${code}${reason})`, {
            closeCode: code,
          }),
        ws,
      );
      if (current && !closed && backoff !== undefined) startReconnecting(backoff);
    };
    const onError = (): void => {
      // 'close' follows and does the work.
    };
    ws.addEventListener('message', onMessage);
    ws.addEventListener('close', onClose);
    ws.addEventListener('error', onError);
    if (Number.isFinite(pingIntervalMs) && typeof ws.ping === 'function' && typeof ws.on === 'function') {
      ws.on('pong', () => {
        alive = true;
      });
      pinger = setInterval(() => {
        if (!alive) {
          closedByUs ??= new WsTransportError(`ws: ${target} did not answer a ping within ${pingIntervalMs} ms`, {
            closeCode: CloseCode.abnormal,
          });
          if (typeof ws.terminate === 'function') ws.terminate();
          else ws.close(CloseCode.goingAway);
          return;
        }
        alive = false;
        try {
          ws.ping!();
        } catch {
          // closing; 'close' follows
        }
      }, pingIntervalMs);
    }
    try {
      onConnect?.();
    } catch {
      // onConnect must not throw.
    }
  };

  const startReconnecting = (settings: Backoff): void => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake: (() => void) | undefined;
    const cycle = {
      promise: (async (): Promise<WebSocketLike> => {
        let last: unknown;
        for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, backoffDelay(settings, attempt));
          });
          if (cancelled || closed) throw closedError();
          try {
            return await open();
          } catch (error) {
            last = error;
          }
        }
        throw new WsTransportError(`ws: gave up reconnecting to ${target} after ${settings.maxAttempts} attempts: ${describe(last)}`, {
          cause: last,
        });
      })(),
      cancel: () => {
        cancelled = true;
        if (timer !== undefined) clearTimeout(timer);
        wake?.();
      },
    };
    reconnecting = cycle;
    cycle.promise.then(
      () => {
        if (reconnecting === cycle) reconnecting = undefined;
      },
      () => {
        if (reconnecting === cycle) reconnecting = undefined;
      },
    );
  };

  /** The open connection: the current one, the one being opened, the reconnection in progress, or a new one. */
  const connection = (): Promise<WebSocketLike> => {
    if (closed) return Promise.reject(closedError());
    if (socket !== undefined && socket.readyState === OPEN) return Promise.resolve(socket);
    if (reconnecting !== undefined) return reconnecting.promise;
    if (connecting === undefined) {
      const attempt = open();
      connecting = attempt;
      const clear = (): void => {
        if (connecting === attempt) connecting = undefined;
      };
      attempt.then(clear, clear);
    }
    return connecting;
  };

  const allocateId = (): number => {
    for (;;) {
      const id = nextId;
      nextId = id >= MAX_ID ? 1 : id + 1;
      if (!pending.has(id)) return id;
    }
  };

  /** Runs `body` with a signal that aborts on the caller's signal or after `timeoutMs`. */
  const withTimeout = async <T>(signal: AbortSignal | undefined, what: string, body: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    signal?.throwIfAborted();
    if (closed) throw closedError();
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => controller.abort(new WsTransportError(`ws: ${what} ${target} within ${timeoutMs} ms`)), timeoutMs)
      : undefined;
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

  return {
    send(request: Uint8Array, options?: TransportSendOptions): Promise<Uint8Array> {
      return withTimeout(options?.signal, 'no answer from', async (signal) => {
        const ws = await abortable(connection(), signal);
        if (ws.readyState !== OPEN) throw new WsTransportError(`ws: the connection to ${target} closed before the request was sent`);
        const id = allocateId();
        const answer = new Promise<Uint8Array>((resolve, reject) => pending.set(id, { ws, resolve, reject }));
        try {
          try {
            ws.send(encodeEnvelope(WsEnvelopeKind.request, id, request));
          } catch (error) {
            throw new WsTransportError(`ws: cannot send to ${target}: ${describe(error)}`, {
              cause: error,
            });
          }
          return await abortable(answer, signal);
        } finally {
          pending.delete(id);
        }
      });
    },

    async connect(options?: TransportSendOptions): Promise<void> {
      await withTimeout(options?.signal, 'no connection to', (signal) => abortable(connection(), signal));
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      reconnecting?.cancel();
      failPending(closedError());
      const ws = socket ?? (await connecting?.catch(() => undefined));
      if (ws === undefined || ws.readyState === 3) return;
      await new Promise<void>((resolve) => {
        ws.addEventListener('close', () => resolve());
        ws.close(CloseCode.normal, 'client closing');
      });
    },
  };
}

function resolveBackoff(options: WsReconnectOptions): Backoff {
  const backoff = {
    initialDelayMs: options.initialDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    factor: options.factor ?? 2,
    maxAttempts: options.maxAttempts ?? Infinity,
  };
  if (!(backoff.initialDelayMs >= 0) || !Number.isFinite(backoff.initialDelayMs))
    throw new RangeError(`ws: reconnect.initialDelayMs must be a finite number >= 0: ${backoff.initialDelayMs}`);
  if (!(backoff.maxDelayMs >= backoff.initialDelayMs) || !Number.isFinite(backoff.maxDelayMs))
    throw new RangeError(`ws: reconnect.maxDelayMs must be finite and >= initialDelayMs: ${backoff.maxDelayMs}`);
  if (!(backoff.factor >= 1)) throw new RangeError(`ws: reconnect.factor must be >= 1: ${backoff.factor}`);
  if (!(backoff.maxAttempts >= 1)) throw new RangeError(`ws: reconnect.maxAttempts must be >= 1: ${backoff.maxAttempts}`);
  return backoff;
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`ws: ${name} must be positive: ${value}`);
  return value;
}

function closeCodeOf(event: { code?: number }): { closeCode: number } | undefined {
  return typeof event?.code === 'number' ? { closeCode: event.code } : undefined;
}

/** `promise`, or the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
