import type { Transport } from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';
import { coapTransport } from '@cmpkit/transport-coap';
import { CMP_TCP_PORT, tcpTransport } from '@cmpkit/transport-tcp';
import { wsTransport } from '@cmpkit/transport-ws';
import { CliError } from '../cli-error.js';
import type { ClientTls } from './client-tls.js';
import { connectionPerMessageFetch, createConnectionPerMessageFetch } from './connection-per-message-fetch.js';

/** A transport the CLI closes when its command is done (TCP, WebSocket and CoAP keep connections or sockets open). */
export interface ClosableTransport extends Transport {
  /** Opens the connection ahead of the first request, where the transport keeps one (TCP, WebSocket, CoAP: with `onPush`, registers the observation). */
  connect(): Promise<void>;
  close(): Promise<void>;
}

/** How {@link transportForUrl} builds the transport. */
export interface TransportOptions {
  /** Bound on one exchange, in ms. */
  timeoutMs: number;
  /** Receives what the server pushes unasked on a TCP or WebSocket connection, or notifies over CoAP (announcements). */
  onPush?: (message: Uint8Array) => void;
  /** Told each time a WebSocket connection, or the kept-open TCP connection, (re)opens. */
  onConnect?: () => void;
  /** Re-establish a lost WebSocket or TCP connection with backoff (for `listen`). */
  reconnect?: boolean;
  /** TLS settings of https://, wss:// and tcps:// (default: the system's roots). */
  tls?: ClientTls;
}

/** How `listen` re-establishes a lost connection: soon at first, then at most every 5 s. */
const RECONNECT = { initialDelayMs: 200, maxDelayMs: 5000 };

/** The URL schemes the CLI speaks, and the transport package behind each. */
export const TRANSPORT_SCHEMES = ['http:', 'https:', 'tcp:', 'tcps:', 'ws:', 'wss:', 'coap:', 'coap+tcp:', 'coap+ws:'] as const;

/**
 * The transport for a server URL, chosen by its scheme: `http(s)://` -> RFC 9811 HTTP,
 * `tcp://host[:port]` -> CMP over TCP (port 829 by default; the path is ignored), `tcps://` the same over TLS,
 * `ws(s)://` -> CMP over WebSocket (subprotocol `cmp`), `coap://`, `coap+tcp://`, `coap+ws://` ->
 * CMP over CoAP (RFC 9482; path `/.well-known/cmp` when the URL has none).
 */
export function transportForUrl(url: string, options: TransportOptions): ClosableTransport {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--server '${url}' is not a URL`);
  }
  switch (parsed.protocol) {
    case 'http:':
    case 'https:': {
      if (options.onPush) throw new CliError('an http(s) server cannot push to us: use tcp://, ws:// or --http-listen');
      const fetch = parsed.protocol === 'https:' && options.tls ? createConnectionPerMessageFetch(options.tls) : connectionPerMessageFetch;
      const transport = httpTransport({ url, timeoutMs: options.timeoutMs, fetch });
      return { send: (request, sendOptions) => transport.send(request, sendOptions), connect: async () => {}, close: async () => {} };
    }
    case 'tcp:':
    case 'tcps:': {
      const port = parsed.port === '' ? CMP_TCP_PORT : Number(parsed.port);
      const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
      if (host === '') throw new CliError(`--server '${url}' names no host`);
      return tcpTransport({
        host,
        port,
        readTimeoutMs: options.timeoutMs,
        connectTimeoutMs: options.timeoutMs,
        ...(options.onPush ? { onPush: options.onPush } : {}),
        ...(parsed.protocol === 'tcps:' ? { tls: options.tls ?? {} } : {}),
        ...(options.onConnect ? { onConnect: options.onConnect } : {}),
        ...(options.reconnect ? { reconnect: RECONNECT } : {}),
      });
    }
    case 'ws:':
    case 'wss:':
      return wsTransport({
        url,
        timeoutMs: options.timeoutMs,
        ...(options.onPush ? { onPush: options.onPush } : {}),
        ...(options.onConnect ? { onConnect: options.onConnect } : {}),
        ...(options.reconnect ? { reconnect: RECONNECT } : {}),
        ...(parsed.protocol === 'wss:' && options.tls ? { tls: options.tls } : {}),
      });
    case 'coap:':
    case 'coap+tcp:':
    case 'coap+ws:':
      if (parsed.hostname === '') throw new CliError(`--server '${url}' names no host`);
      return coapTransport({
        url,
        timeoutMs: options.timeoutMs,
        ...(options.onPush ? { onPush: options.onPush } : {}),
        ...(options.onConnect ? { onConnect: options.onConnect } : {}),
      });
    default:
      throw new CliError(
        `--server '${url}': unsupported scheme ${parsed.protocol} (use http://, https://, tcp://, tcps://, ws(s)://, coap://, coap+tcp:// or coap+ws://)`,
      );
  }
}
