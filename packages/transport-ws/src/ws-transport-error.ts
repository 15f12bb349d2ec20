const TRANSPORT_ERROR = Symbol.for('cmpkit.error.TransportError');
const WS_TRANSPORT_ERROR = Symbol.for('cmpkit.error.WsTransportError');

/**
 * A local failure to move a PKIMessage over WebSocket: the connection failed or closed with the
 * request in flight, the server did not select the `cmp` subprotocol, a timeout, an `error`
 * envelope from the server, a message over `maxMessageBytes`. It never goes on the wire.
 *
 * It carries the brand of `@cmpkit/core`'s `TransportError` (`Symbol.for('cmpkit.error.TransportError')`
 * and `code: 'CMP_ERR_TRANSPORT'`), so `isTransportError(e)` and `e instanceof TransportError`
 * from `@cmpkit/core` are true for it, whichever copy of core is loaded.
 */
export class WsTransportError extends Error {
  static override readonly name: string = 'WsTransportError';
  readonly code = 'CMP_ERR_TRANSPORT';
  /** The WebSocket close code, when the failure is the connection closing (1006: closed without a close frame). */
  readonly closeCode: number | undefined;

  constructor(message: string, options?: { cause?: unknown; closeCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WsTransportError';
    this.closeCode = options?.closeCode;
  }

  get [TRANSPORT_ERROR](): true {
    return true;
  }

  get [WS_TRANSPORT_ERROR](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== WsTransportError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [WS_TRANSPORT_ERROR]?: unknown })[WS_TRANSPORT_ERROR] === true;
  }
}
