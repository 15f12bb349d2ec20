/**
 * @packageDocumentation
 * `@cmpkit/transport-ws`: CMP over WebSocket with the `cmp` subprotocol (docs/transport-ws.md):
 * one binary message carries one DER PKIMessage in a 5-octet envelope (kind and id), so requests
 * share a connection and answers find their request, and the server can push announcements.
 * The client is a `Transport` on the `ws` package (Node) or the global `WebSocket` (browsers,
 * through the `browser` export condition, which leaves the server out); the server serves a
 * `CmpHandler` on a `ws` `WebSocketServer`. It moves bytes only: it never decodes CMP, never
 * retries and never maps errors to PKIStatus.
 *
 * @example
 * ```ts
 * import { createWsServer, wsTransport } from '@cmpkit/transport-ws';
 *
 * // server: a CMP handler on ws://127.0.0.1:8081/cmp
 * const server = await createWsServer({ handle: cmpServer.handle, port: 8081, host: '127.0.0.1', path: '/cmp' });
 *
 * // client
 * const transport = wsTransport({ url: 'ws://127.0.0.1:8081/cmp', onPush: (announcement) => {} });
 * const answer = await transport.send(requestDer);
 * await transport.close();
 * await server.close();
 * ```
 */
import { WebSocket as NodeWebSocket, type ClientOptions } from 'ws';
import type { WebSocketConstructor } from './websocket-like.js';
import { createWsTransport, type WsTransport, type WsTransportInit } from './ws-transport.js';

/**
 * A `Transport` for CMP over WebSocket (subprotocol `cmp`). All requests share one connection,
 * opened on the first send (or by `connect()`); each goes in a `request` envelope with an id of
 * its own and resolves to the `response` with that id, in whatever order answers come. An
 * `error` envelope rejects with a {@link WsTransportError} carrying its text; so does a timeout,
 * a connection that fails or closes while the request is in flight, or an answer over
 * `maxMessageBytes` (which closes the connection). Nothing is retried; with `reconnect`, only the
 * connection is re-established. Pushed announcements go to `onPush`.
 *
 * On Node the default `WebSocket` is the `ws` package's (with `maxPayload` set from
 * `maxMessageBytes`); in browsers the global one.
 *
 * @example
 * ```ts
 * const transport = wsTransport({ url: 'wss://ca.example/cmp', reconnect: {}, onPush: store });
 * await transport.connect();
 * const answer = await transport.send(requestDer, { signal: AbortSignal.timeout(10_000) });
 * ```
 */
export function wsTransport(init: NodeWsTransportInit): WsTransport {
  const { tls, ...rest } = init;
  return createWsTransport(rest, (maxPayload) => nodeWebSocket(maxPayload, tls));
}

/** TLS settings of a `wss:` connection on Node (the `ws` package's, passed to `node:https`). */
export type WsTlsOptions = Pick<ClientOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'rejectUnauthorized'>;

/** Configuration of the Node {@link wsTransport}: the common settings, and TLS for `wss:`. */
export interface NodeWsTransportInit extends WsTransportInit {
  /**
   * For `wss:` URLs: `ca` for a private CA (default: Node's trusted roots), `cert` and `key` for a
   * client certificate. The server's certificate is verified unless `rejectUnauthorized: false`.
   */
  tls?: WsTlsOptions;
}

/** The `ws` client with the size limit applied while frames are read, and the TLS settings. */
function nodeWebSocket(maxPayload: number, tls: WsTlsOptions | undefined): WebSocketConstructor {
  return class extends NodeWebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { maxPayload, ...tls });
    }
  } as unknown as WebSocketConstructor;
}

export type { WsReconnectOptions, WsTransport, WsTransportInit } from './ws-transport.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like.js';
export { attachWsServer } from './ws-server.js';
export { createWsServer } from './create-ws-server.js';
export { admitUpgrade } from './admit-upgrade.js';
export type { WsServer, WsServerInit } from './create-ws-server.js';
export type { WsCmpHandler, WsCmpServer, WsRequestContext, WsServerConnection, WsServerOptions } from './ws-server-types.js';
export { WS_SUBPROTOCOL, WsEnvelopeKind } from './envelope.js';
export { WsTransportError } from './ws-transport-error.js';
