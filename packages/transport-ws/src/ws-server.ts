import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { WS_SUBPROTOCOL } from './envelope.js';
import { CloseCode } from './internal/envelope.js';
import { peerOf } from './admit-upgrade.js';
import { allowed } from './internal/origin.js';
import { ServerConnection, type ServerConnectionOptions } from './internal/server-connection.js';
import type { WsCmpHandler, WsCmpServer, WsServerOptions } from './ws-server-types.js';

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_PING_INTERVAL_MS = 30_000;

/** Errors of refused connections; served ones have their own listener. A shared function, so no connection keeps a closure. */
function ignoreError(): void {
  // ws closes the socket after an error; 'close' follows.
}

/**
 * Serves a CMP handler on a `ws` `WebSocketServer` you created (with your HTTP server, TLS,
 * path and `maxPayload`), speaking the `cmp` subprotocol (docs/transport-ws.md): each `request`
 * envelope is handed to `handle` at once, requests of one connection run concurrently, and each
 * is answered with a `response` envelope of the same id (or `error` when the handler fails,
 * reported to `onError`).
 *
 * A connection that did not negotiate the `cmp` subprotocol is closed with 1002, one whose
 * `Origin` the `origin` option refuses with 1008; a text message closes with 1003, a message
 * over `maxMessageBytes` with 1009, a malformed envelope or one of another kind with 1002. Every
 * `pingIntervalMs` each connection that sent nothing of its own (a request, a ping) since the
 * previous round is pinged, and terminated when it missed the previous pong.
 * Connections (`connections`, `onConnection`) can `push` announcements to their client.
 *
 * `ws` selects the first subprotocol a client offers unless you pass `handleProtocols`; pass
 * `handleProtocols: (offered) => (offered.has('cmp') ? 'cmp' : false)`, or use
 * `createWsServer`, which also refuses bad handshakes with an HTTP status.
 *
 * @example
 * ```ts
 * import { WebSocketServer } from 'ws';
 * const wss = new WebSocketServer({ server: httpsServer, path: '/cmp', maxPayload: 1024 * 1024 + 5,
 *   handleProtocols: (offered) => (offered.has('cmp') ? 'cmp' : false) });
 * const cmp = attachWsServer(wss, cmpServer.handle, { origin: (o) => o === 'https://ee.example' });
 * ```
 */
export function attachWsServer(wss: WebSocketServer, handle: WsCmpHandler, options: WsServerOptions = {}): WsCmpServer {
  if (typeof handle !== 'function') throw new TypeError('ws: handle must be a function');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw new RangeError(`ws: maxMessageBytes must be a positive integer: ${maxMessageBytes}`);
  }
  const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
  if (!(pingIntervalMs > 0)) throw new RangeError(`ws: pingIntervalMs must be positive: ${pingIntervalMs}`);
  const { origin, admit, onConnection, onError } = options;

  const connections = new Map<string, ServerConnection>();
  const settings: ServerConnectionOptions = {
    handle,
    maxMessageBytes,
    onError,
    peerCertificate: options.peerCertificate ?? 'authorized',
    onClosed: (connection) => {
      connections.delete(connection.id);
    },
  };
  let counter = 0;
  let closing = false;

  const accept = (ws: WebSocket, request: IncomingMessage): void => {
    ws.on('error', ignoreError);
    if (closing) {
      ws.close(CloseCode.goingAway, 'server closing');
      return;
    }
    if (ws.protocol !== WS_SUBPROTOCOL) {
      ws.close(CloseCode.protocolError, `subprotocol ${WS_SUBPROTOCOL} required`);
      return;
    }
    if (origin !== undefined && !allowed(origin, request.headers.origin)) {
      ws.close(CloseCode.policyViolation, 'origin not allowed');
      return;
    }
    const decision = admit?.(peerOf(request));
    if (decision && !decision.admitted) {
      ws.close(CloseCode.tryAgainLater, `try again in ${decision.retryAfterSeconds} s`);
      return;
    }
    const connection = new ServerConnection(`ws-${++counter}`, ws, request, settings);
    if (ws.readyState !== ws.CLOSED) connections.set(connection.id, connection);
    try {
      onConnection?.(connection);
    } catch {
      // onConnection must not throw; the connection is served anyway.
    }
  };
  wss.on('connection', accept);

  const pinger = Number.isFinite(pingIntervalMs)
    ? setInterval(() => {
        for (const connection of connections.values()) connection.heartbeat();
      }, pingIntervalMs)
    : undefined;
  pinger?.unref();

  return {
    connections,
    async close(): Promise<void> {
      closing = true;
      wss.off('connection', accept);
      if (pinger !== undefined) clearInterval(pinger);
      const open = [...connections.values()];
      for (const connection of open) connection.close(CloseCode.goingAway, 'server closing');
      await Promise.all(open.map((connection) => connection.closed));
    },
  };
}
