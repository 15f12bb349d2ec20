/**
 * @packageDocumentation
 * `@cmpkit/transport-ws` for browsers (the `browser` export condition): the client on the
 * global `WebSocket`, without the server and without any Node module. See the Node entry for the
 * whole package.
 *
 * @example
 * ```ts
 * import { wsTransport } from '@cmpkit/transport-ws';
 *
 * const transport = wsTransport({ url: 'wss://ca.example/cmp', onPush: (announcement) => {} });
 * const answer = await transport.send(requestDer);
 * ```
 */
import { createWsTransport, type WsTransport, type WsTransportInit } from './ws-transport.js';
import type { WebSocketConstructor } from './websocket-like.js';

/**
 * A `Transport` for CMP over WebSocket (subprotocol `cmp`, docs/transport-ws.md) on the global
 * `WebSocket`, or the one in `init.WebSocket`. Requests share one connection and are matched to
 * their answers by id; see the Node entry's `wsTransport` for the details, which are the same.
 */
export function wsTransport(init: WsTransportInit): WsTransport {
  return createWsTransport(init, () => (globalThis as { WebSocket?: unknown }).WebSocket as WebSocketConstructor | undefined);
}

export type { WsReconnectOptions, WsTransport, WsTransportInit } from './ws-transport.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like.js';
export { WS_SUBPROTOCOL, WsEnvelopeKind } from './envelope.js';
export { WsTransportError } from './ws-transport-error.js';
