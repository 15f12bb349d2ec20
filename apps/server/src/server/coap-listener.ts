import type { Server } from 'node:http';
import type { CmpHandler } from '@cmpkit/core';
import { COAP_WS_PATH, createCoapServer, type CoapServerSession } from '@cmpkit/transport-coap';
import type { ServerConfig } from '../config/server-config.js';
import type { Logger } from '../log/logger.js';

/** A listening CMP-over-CoAP server: UDP and TCP on one port, WebSocket on the HTTP server when asked. */
export interface CoapListener {
  /** `coap://host:port/path` (UDP). */
  url: string;
  /** `coap+tcp://host:port/path`. */
  tcpUrl: string;
  /** `coap+ws://host:httpPort/path`, when attached to the HTTP server. */
  wsUrl?: string;
  /** The sessions by id (UDP endpoints, TCP/WebSocket connections). */
  readonly sessions: ReadonlyMap<string, CoapServerSession>;
  close(): Promise<void>;
}

interface CoapListenOptions {
  host: string;
  port: number;
  /** The CMP base path (`/.well-known/cmp`). */
  path: string;
  maxMessageBytes: number;
  idleTimeoutSeconds: number;
  logger: Logger;
  /** The HTTP server to serve CoAP over WebSocket on (at `/.well-known/coap`), with its port. */
  websocket?: { http: Server; port: number };
}

/**
 * Serves `handle` over CoAP (RFC 9482) on UDP and TCP at `host:port` (the same port number for
 * both, as RFC 8323 does for 5683), and over WebSocket on the HTTP server when given.
 */
export async function listenCoap(handle: CmpHandler, options: CoapListenOptions): Promise<CoapListener> {
  // Port 0: the port UDP got may be taken for TCP by another socket; then try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await listenCoapOnce(handle, options);
    } catch (error) {
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!(taken && options.port === 0 && attempt < 20)) throw error;
    }
  }
}

async function listenCoapOnce(handle: CmpHandler, options: CoapListenOptions): Promise<CoapListener> {
  const server = createCoapServer({
    handle,
    basePath: options.path,
    maxMessageBytes: options.maxMessageBytes,
    idleTimeoutMs: options.idleTimeoutSeconds * 1000,
    onError: (error, context) => options.logger.error('handler failed', { error, peer: context.remoteAddress }),
  });
  try {
    const udp = await server.listenUdp(options.port, options.host);
    // Port 0: TCP takes the port UDP got, so that coap:// and coap+tcp:// differ in the scheme only.
    await server.listenTcp(udp.port, options.host);
    const hostText = options.host.includes(':') ? `[${options.host}]` : options.host;
    const detach = options.websocket ? server.attachWebSocket(options.websocket.http, { path: COAP_WS_PATH }) : undefined;
    return {
      url: `coap://${hostText}:${udp.port}${options.path}`,
      tcpUrl: `coap+tcp://${hostText}:${udp.port}${options.path}`,
      ...(options.websocket ? { wsUrl: `coap+ws://${hostText}:${options.websocket.port}${options.path}` } : {}),
      sessions: server.sessions,
      async close() {
        detach?.();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** CMP over CoAP for `serve` (CA and RA): UDP and TCP on `coap.port`, WebSocket on the HTTP port. */
export function coapListenerFor(
  handle: CmpHandler,
  config: ServerConfig,
  http: { server: Server; port: number },
  logger: Logger,
): Promise<CoapListener> {
  return listenCoap(handle, {
    host: config.coap.host,
    port: config.coap.port ?? 0,
    path: config.http.path,
    maxMessageBytes: config.http.maxMessageBytes,
    idleTimeoutSeconds: config.tcp.idleTimeoutSeconds,
    logger,
    ...(config.coap.websocket ? { websocket: { http: http.server, port: http.port } } : {}),
  });
}

/** The CoAP URLs a listening server reports. */
export function coapUrlsOf(coap: CoapListener | undefined): { coapUrl?: string; coapTcpUrl?: string; coapWsUrl?: string } {
  if (coap === undefined) return {};
  return { coapUrl: coap.url, coapTcpUrl: coap.tcpUrl, ...(coap.wsUrl === undefined ? {} : { coapWsUrl: coap.wsUrl }) };
}
