/**
 * The part of the WHATWG `WebSocket` the client uses: the browsers' global `WebSocket` and the
 * `WebSocket` of the `ws` package both fit. `ping`, `terminate` and `on('pong')` exist on `ws`
 * only; where they are missing the client sends no keep-alive pings.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** The subprotocol the server selected. */
  readonly protocol: string;
  /** Set to `'arraybuffer'` by the client. */
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
  removeEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
  ping?(): void;
  terminate?(): void;
  on?(event: 'pong', listener: () => void): unknown;
}

/** A `WebSocket` constructor: `new WebSocket(url, protocols)`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;
