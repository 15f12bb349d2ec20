import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WS_SUBPROTOCOL } from './envelope.js';
import { ENVELOPE_HEADER_BYTES } from './internal/envelope.js';
import { admitUpgrade, refuseUpgrade } from './admit-upgrade.js';
import { allowed } from './internal/origin.js';
import { attachWsServer } from './ws-server.js';
import type { WsCmpHandler, WsCmpServer, WsServerOptions } from './ws-server-types.js';

/** Configuration of {@link createWsServer}. */
export interface WsServerInit extends WsServerOptions {
  /** Answers each request; a `CmpHandler` from `@cmpkit/core` fits. It should never reject. */
  handle: WsCmpHandler;
  /** The port to listen on (0 for any free one). */
  port: number;
  /** The address to listen on (default: every address). */
  host?: string;
  /** The only request path accepted for the handshake, e.g. `'/cmp'` (default: any path). */
  path?: string;
  /**
   * Serve `wss:` on `node:https` with these options: the server's `key` and `cert` (and `ca`,
   * `requestCert`, `rejectUnauthorized` for client certificates). To renew the certificate later,
   * call `setSecureContext` on {@link WsServer.server}.
   */
  tls?: HttpsServerOptions;
}

/** A listening WebSocket CMP server from {@link createWsServer}. */
export interface WsServer extends WsCmpServer {
  /** The port it listens on. */
  readonly port: number;
  /** The `node:http` server (a `node:https` one with the `tls` option). */
  readonly server: Server;
}

/**
 * Starts a `ws:` CMP server on its own `node:http` server (`wss:` on `node:https` with `tls`): {@link attachWsServer} with
 * `maxPayload` set from `maxMessageBytes`, and handshakes checked before they are accepted:
 * another path is refused with `404`, a refused `Origin` with `403`, a client that does not offer
 * the `cmp` subprotocol with `400`, one that `admit` does not take now with `503` and
 * `Retry-After`; plain HTTP requests get `426`. For a shared HTTP server, build your own
 * `WebSocketServer` and use `attachWsServer`.
 *
 * @example
 * ```ts
 * const server = await createWsServer({ handle: cmpServer.handle, port: 8081, path: '/cmp' });
 * // later: push an announcement to the connection an end entity last used
 * await server.connections.get(connectionId)?.push(announcementDer);
 * await server.close();
 * ```
 */
export async function createWsServer(init: WsServerInit): Promise<WsServer> {
  const { handle, port, host, path, tls, ...options } = init;
  const maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
  const refuseHttp = (_request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(426, {
      Upgrade: 'websocket',
      'Content-Type': 'text/plain; charset=utf-8',
      Connection: 'close',
    });
    response.end(`upgrade to WebSocket with the subprotocol ${WS_SUBPROTOCOL}\n`);
  };
  const http: Server = tls ? createHttpsServer(tls, refuseHttp) : createServer(refuseHttp);
  const wss = new WebSocketServer({
    noServer: true,
    // attachWsServer keeps the connections; a second set in ws would cost memory per connection.
    clientTracking: false,
    maxPayload: maxMessageBytes + ENVELOPE_HEADER_BYTES,
    handleProtocols: (offered) => (offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  // The origin and the admission are checked at the handshake; the attached server need not again.
  const { origin, admit, ...attachOptions } = options;
  const attached = attachWsServer(wss, handle, attachOptions);
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', ignoreSocketError);
    if (path !== undefined && pathOf(request.url) !== path) return refuseUpgrade(socket, 404, 'Not Found', 'no CMP endpoint here');
    if (origin !== undefined && !allowed(origin, request.headers.origin))
      return refuseUpgrade(socket, 403, 'Forbidden', 'origin not allowed');
    if (!offers(request.headers['sec-websocket-protocol'])) {
      return refuseUpgrade(socket, 400, 'Bad Request', `the subprotocol ${WS_SUBPROTOCOL} is required (Sec-WebSocket-Protocol)`);
    }
    if (!admitUpgrade(admit, request, socket)) return;
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  return {
    port: (http.address() as AddressInfo).port,
    server: http,
    connections: attached.connections,
    async close(): Promise<void> {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await attached.close();
      wss.close();
      http.closeAllConnections();
      await stopped;
    },
  };
}

/**
 * Errors of a socket during the handshake (the connection then closes). A shared function: a
 * closure made here would keep the handshake request alive for as long as the connection.
 */
function ignoreSocketError(): void {}

function offers(header: string | undefined): boolean {
  return header !== undefined && header.split(',').some((token) => token.trim() === WS_SUBPROTOCOL);
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}
