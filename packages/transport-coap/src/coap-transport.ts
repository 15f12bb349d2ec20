import { connect as connectTcp, type Socket } from 'node:net';
import type { Transport, TransportSendOptions } from '@cmpkit/core';
import { WebSocket } from 'ws';
import { CoapCode } from './coap-codes.js';
import { CoapTransportError } from './coap-transport-error.js';
import { ANNOUNCEMENT_SEGMENT, CMP_WELL_KNOWN_PATH, COAP_PORT, COAP_WS_PATH, COAP_WS_SUBPROTOCOL } from './constants.js';
import { szxOf } from './internal/block-option.js';
import { checkResponse, postPkiMessage, readAnswer, type RequestChannel } from './internal/client-exchange.js';
import { tcpPipe, wsPipe, type FramePipe } from './internal/frame-pipe.js';
import type { CoapMessage } from './internal/message.js';
import { encodeBlock } from './internal/block-option.js';
import { encodeUint, Option, optionValue, uriPathOptions } from './internal/options.js';
import { hex } from './internal/bytes.js';
import { MESSAGE_OVERHEAD, ReliableConnection } from './internal/reliable-connection.js';
import { randomBytes, resolveTransmission, type TransmissionParameters } from './internal/transmission.js';
import { UdpClient } from './internal/udp-client.js';

/** Configuration of {@link coapTransport}. */
export interface CoapTransportInit {
  /**
   * The CMP URI: `coap://host[:port]/.well-known/cmp[/p/<label>]` (UDP), `coap+tcp://...` (TCP) or
   * `coap+ws://host[:port]/.well-known/cmp` (WebSocket, reached at `ws://host:port/.well-known/coap`).
   * Without a path, `/.well-known/cmp`. Default ports: 5683 for coap and coap+tcp, 80 for coap+ws.
   */
  url: string | URL;
  /** The largest answer or announcement accepted, in bytes of DER (default 1 MiB). */
  maxMessageBytes?: number;
  /** How long one send may take, connecting, retransmissions and blocks included, in ms (default 60000). */
  timeoutMs?: number;
  /** Block size over UDP: 16..1024, a power of two (default 1024). */
  blockSize?: number;
  /** UDP retransmission parameters (RFC 7252 section 4.8). */
  transmission?: Partial<TransmissionParameters>;
  /**
   * Receives the DER of each announcement the server notifies (RFC 9482 section 2.5). With it,
   * the transport observes `<path>/ann` on every new connection (UDP: once). It must not throw.
   */
  onPush?: (message: Uint8Array) => void;
  /** Called when a connection (UDP: the socket) is ready and, with `onPush`, observed. It must not throw. */
  onConnect?: () => void;
  /** TCP and WebSocket: a Ping every this many ms of silence, the connection closed when no Pong comes (default 30000; `Infinity` for none). */
  pingIntervalMs?: number;
}

/** A {@link coapTransport}: a `Transport` that can connect (and observe) ahead of time, and close. */
export interface CoapTransport extends Transport {
  /** Opens the socket or connection now and, with `onPush`, registers the announcement observation. */
  connect(options?: TransportSendOptions): Promise<void>;
  /** Closes; requests in flight and later sends reject with a {@link CoapTransportError}. */
  close(): Promise<void>;
}

type Carrier = 'udp' | 'tcp' | 'ws';

interface Session {
  channel: RequestChannel;
  closed: Promise<unknown>;
  close(): void;
  /** The token of the announcement observation, when registered. */
  observation?: Uint8Array;
}

const SCHEMES: Record<string, Carrier> = { 'coap:': 'udp', 'coap+tcp:': 'tcp', 'coap+ws:': 'ws' };

/**
 * A `Transport` for CMP over CoAP (RFC 9482): each send is a confirmable POST of the DER request
 * with Content-Format 259 to the CMP URI, resolved with the DER of the 2.04 answer. Block-wise both
 * ways (RFC 7959), over UDP (`coap://`) with retransmission (RFC 7252), or over TCP (`coap+tcp://`)
 * and WebSocket (`coap+ws://`) with RFC 8323 framing. Error responses and every transfer failure
 * reject with a {@link CoapTransportError}; nothing is sent twice at the CMP level (CoAP
 * retransmission is deduplicated by the server). With `onPush`, announcements arrive by Observe.
 *
 * @example
 * ```ts
 * const transport = coapTransport({ url: 'coap://ca.example/.well-known/cmp', onPush: (der) => client.receivePush(der) });
 * await transport.connect(); // registers the observation
 * const answer = await transport.send(requestDer);
 * ```
 */
export function coapTransport(init: CoapTransportInit): CoapTransport {
  const url = new URL(init.url);
  const carrier = SCHEMES[url.protocol];
  if (carrier === undefined) throw new TypeError(`coap: the URL must be coap:, coap+tcp: or coap+ws:, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new TypeError(`coap: the URL ${url.href} names no host`);
  const port = url.port === '' ? (carrier === 'ws' ? 80 : COAP_PORT) : Number(url.port);
  const path = url.pathname === '' || url.pathname === '/' ? CMP_WELL_KNOWN_PATH : url.pathname.replace(/\/+$/, '');
  const uri = uriPathOptions(path);
  const announcementUri = [...uri, ...uriPathOptions(ANNOUNCEMENT_SEGMENT)];
  const describe = `${url.protocol}//${url.host}${path}`;
  const maxMessageBytes = init.maxMessageBytes ?? 1024 * 1024;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1)
    throw new RangeError(`coap: maxMessageBytes must be a positive integer: ${maxMessageBytes}`);
  const timeoutMs = init.timeoutMs ?? 60_000;
  if (!(timeoutMs > 0)) throw new RangeError(`coap: timeoutMs must be positive: ${timeoutMs}`);
  const blockSize = init.blockSize ?? 1024;
  const szx = szxOf(blockSize);
  const transmission = resolveTransmission(init.transmission);
  const pingIntervalMs = init.pingIntervalMs ?? 30_000;
  const { onPush, onConnect } = init;

  let current: Promise<Session> | undefined;
  let closed = false;
  const observations = new Set<string>();

  /** A notification: its body (fetched block by block when long) goes to onPush. */
  const notified = (session: () => Session | undefined, message: CoapMessage): boolean => {
    if (!observations.has(hex(message.token))) return false;
    const active = session();
    if (active === undefined || message.code !== CoapCode.content || message.payload.byteLength === 0) return true;
    const signal = AbortSignal.timeout(timeoutMs);
    readAnswer(
      active.channel,
      message,
      { describe, expected: CoapCode.content, maxResponseBytes: maxMessageBytes, signal, method: CoapCode.get },
      (block) => [...announcementUri, { number: Option.block2, value: encodeBlock(block) }],
    ).then(
      (body) => {
        try {
          onPush?.(body);
        } catch {
          // onPush must not throw.
        }
      },
      () => undefined, // an announcement that could not be fetched is sent again by the server's announcer
    );
    return true;
  };

  const open = async (signal: AbortSignal): Promise<Session> => {
    let session: Session | undefined;
    if (carrier === 'udp') {
      const udp = new UdpClient(host, port, transmission, (message) => notified(() => session, message));
      let resolveClosed!: () => void;
      session = {
        channel: { request: (...args) => udp.request(...args), limits: () => ({ maxPayload: blockSize, szx, bert: false }) },
        closed: new Promise<void>((resolve) => {
          resolveClosed = resolve;
        }),
        close: () => {
          udp.close();
          resolveClosed();
        },
      };
    } else {
      const maxMessageSize = maxMessageBytes + MESSAGE_OVERHEAD;
      const pipe =
        carrier === 'tcp' ? tcpPipe(await openTcp(host, port, signal), maxMessageSize) : await openWs(url, port, signal, maxMessageSize);
      const connection = new ReliableConnection(pipe, { maxMessageSize, onUnmatched: (message) => void notified(() => session, message) });
      const keepAlive = Number.isFinite(pingIntervalMs)
        ? setInterval(() => {
            if (Date.now() - connection.lastActivity < pingIntervalMs) return;
            connection.ping(AbortSignal.timeout(pingIntervalMs)).catch(() => connection.abort());
          }, pingIntervalMs)
        : undefined;
      keepAlive?.unref();
      void connection.closed.then(() => clearInterval(keepAlive));
      session = {
        channel: { request: (...args) => connection.request(...args), limits: () => connection.limits() },
        closed: connection.closed,
        close: () => connection.release(),
      };
      await abortable(connection.ready(), signal);
    }
    if (onPush) {
      const token = randomBytes(4);
      observations.add(hex(token));
      const response = await session.channel.request(
        CoapCode.get,
        [{ number: Option.observe, value: encodeUint(0) }, ...announcementUri],
        new Uint8Array(0),
        signal,
        token,
      );
      checkResponse(response, CoapCode.valid, `${describe}/${ANNOUNCEMENT_SEGMENT}`);
      if (optionValue(response.options, Option.observe) === undefined)
        throw new CoapTransportError(`coap: ${describe} does not take observers of announcements`);
      session.observation = token;
    }
    return session;
  };

  const connection = (signal: AbortSignal): Promise<Session> => {
    if (closed) return Promise.reject(new CoapTransportError('coap: the transport is closed'));
    if (current === undefined) {
      const attempt = open(signal);
      current = attempt;
      attempt.then(
        (session) => {
          void session.closed.then(() => {
            if (current === attempt) current = undefined;
          });
          try {
            onConnect?.();
          } catch {
            // onConnect must not throw.
          }
        },
        () => {
          if (current === attempt) current = undefined;
        },
      );
    }
    return current;
  };

  const withTimeout = async <T>(options: TransportSendOptions | undefined, body: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const outer = options?.signal;
    outer?.throwIfAborted();
    if (closed) throw new CoapTransportError('coap: the transport is closed');
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new CoapTransportError(`coap: no answer from ${describe} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      return await body(controller.signal);
    } catch (error) {
      if (outer?.aborted) throw outer.reason;
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  };

  return {
    send(request, options) {
      return withTimeout(options, async (signal) => {
        const session = await abortable(connection(signal), signal);
        return postPkiMessage(session.channel, { uri, describe }, request, maxMessageBytes, signal);
      });
    },
    async connect(options) {
      await withTimeout(options, (signal) => abortable(connection(signal), signal));
    },
    async close() {
      if (closed) return;
      closed = true;
      const session = await current?.catch(() => undefined);
      if (session?.observation !== undefined && carrier === 'udp') {
        // Deregister (RFC 7641 section 3.6), so the server stops notifying a socket that is gone.
        const deregister = [{ number: Option.observe, value: encodeUint(1) }, ...announcementUri];
        await session.channel
          .request(CoapCode.get, deregister, new Uint8Array(0), AbortSignal.timeout(2000), session.observation)
          .catch(() => undefined);
      }
      session?.close();
    },
  };
}

function openTcp(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      resolve(socket);
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(new CoapTransportError(`coap: cannot connect to ${host}:${port}: ${error.message}`, { cause: error }));
    });
  });
}

function openWs(url: URL, port: number, signal: AbortSignal, maxMessageSize: number): Promise<FramePipe> {
  const target = `ws://${url.hostname}:${port}${COAP_WS_PATH}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target, COAP_WS_SUBPROTOCOL, { maxPayload: maxMessageSize });
    const pipe = wsPipe(ws, `${url.hostname}:${port}`, maxMessageSize);
    const onAbort = (): void => {
      ws.terminate();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    ws.once('open', () => {
      signal.removeEventListener('abort', onAbort);
      if (ws.protocol !== COAP_WS_SUBPROTOCOL) {
        ws.close(1002);
        reject(new CoapTransportError(`coap: ${target} did not select the subprotocol "${COAP_WS_SUBPROTOCOL}"`));
        return;
      }
      resolve(pipe);
    });
    ws.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(new CoapTransportError(`coap: cannot connect to ${target}: ${error.message}`, { cause: error }));
    });
  });
}

/** `promise`, or the signal's reason as soon as it aborts (the signal is per send, so its listener goes with it). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  return Promise.race([promise, aborted]);
}
