import type { IncomingMessage, Server } from 'node:http';
import type { TlsOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { CmpHandler, ConnectionAdmission } from '@cmpkit/core';
import { admitUpgrade, attachWsServer, createWsServer, WS_SUBPROTOCOL, type WsServerConnection } from '@cmpkit/transport-ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../log/logger.js';

/** A CMP-over-WebSocket endpoint. */
export interface WsListener {
  /** `ws://host:port/path` (`wss://` with TLS), what `cmpkit --server` takes. */
  url: string;
  port: number;
  /** The listener of its own (undefined when attached to the HTTP server). */
  server?: Server;
  /** The open connections by id (`ws-N`, the `connectionId` the handler sees). */
  readonly connections: ReadonlyMap<string, WsServerConnection>;
  /** Closes the connections (and the listener of its own, if any). */
  close(): Promise<void>;
}

interface WsListenOptions {
  path: string;
  /** Upgrade paths another listener of the HTTP server serves (CoAP over WebSocket): left alone. */
  otherPaths?: readonly string[];
  maxMessageBytes: number;
  logger: Logger;
  /** New connections admitted (the rest are answered 503 with Retry-After). */
  admit?: ConnectionAdmission;
}

/** The 5-octet envelope header of the `cmp` subprotocol (kind and id) on top of the DER. */
const ENVELOPE_BYTES = 5;

function onError(logger: Logger) {
  return (error: unknown, context: { remoteAddress: string }) => logger.error('handler failed', { error, peer: context.remoteAddress });
}

/**
 * Errors of a socket during the handshake. A shared function: a closure made in the upgrade
 * listener would keep the handshake request alive for as long as the connection.
 */
function ignoreSocketError(): void {}

/** Serves `handle` over WebSocket on a listener of its own at `host:port`, handshakes on `path` only. */
export async function listenWs(
  handle: CmpHandler,
  options: WsListenOptions & { host: string; port: number; tls?: TlsOptions },
): Promise<WsListener> {
  const server = await createWsServer({
    handle,
    host: options.host,
    port: options.port,
    path: options.path,
    maxMessageBytes: options.maxMessageBytes,
    onError: onError(options.logger),
    ...(options.admit ? { admit: options.admit } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const hostText = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'wss' : 'ws'}://${hostText}:${server.port}${options.path}`,
    port: server.port,
    server: server.server,
    connections: server.connections,
    close: () => server.close(),
  };
}

/**
 * Serves `handle` over WebSocket on an HTTP server that already listens (the CMP HTTP endpoint):
 * upgrade requests for `path` offering the `cmp` subprotocol are taken, other upgrades refused.
 */
export function attachWs(http: Server, handle: CmpHandler, options: WsListenOptions & { baseUrl: string }): WsListener {
  const wss = new WebSocketServer({
    noServer: true,
    // attachWsServer keeps the connections; ws's own set would cost memory per connection.
    clientTracking: false,
    maxPayload: options.maxMessageBytes + ENVELOPE_BYTES,
    handleProtocols: (offered) => (offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  const attached = attachWsServer(wss, handle, { maxMessageBytes: options.maxMessageBytes, onError: onError(options.logger) });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', ignoreSocketError);
    const path = (request.url ?? '').split('?', 1)[0]?.replace(/\/+$/, '') ?? '';
    if (options.otherPaths?.includes(path)) return;
    if (path !== options.path.replace(/\/+$/, '')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!admitUpgrade(options.admit, request, socket)) return;
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  http.on('upgrade', onUpgrade);
  const port = Number(new URL(options.baseUrl).port);
  return {
    url: `${options.baseUrl
      .replace(/^http/, 'ws')
      .replace(/\/+$/, '')
      .replace(/^(wss?:\/\/[^/]+).*$/, '$1')}${options.path}`,
    port,
    connections: attached.connections,
    async close() {
      http.off('upgrade', onUpgrade);
      await attached.close();
      wss.close();
    },
  };
}
