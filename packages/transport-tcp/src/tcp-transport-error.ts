const TRANSPORT_ERROR = Symbol.for('cmpkit.error.TransportError');
const TCP_TRANSPORT_ERROR = Symbol.for('cmpkit.error.TcpTransportError');

/**
 * A local failure to move a PKIMessage over TCP: connection refused, reset or closed early, a
 * timeout, an `errorMsgRep` from the peer, a frame that breaks the framing, an answer over
 * `maxMessageBytes`. It never goes on the wire.
 *
 * It carries the brand of `@cmpkit/core`'s `TransportError` (`Symbol.for('cmpkit.error.TransportError')`
 * and `code: 'CMP_ERR_TRANSPORT'`), so `isTransportError(e)` and `e instanceof TransportError`
 * from `@cmpkit/core` are true for it, whichever copy of core is loaded.
 */
export class TcpTransportError extends Error {
  static override readonly name: string = 'TcpTransportError';
  readonly code = 'CMP_ERR_TRANSPORT';
  /**
   * The error code of the peer's `errorMsgRep` (version 10 framing), when the failure is one;
   * see `TcpErrorCode` for the codes cmpkit sends. `undefined` for every other failure.
   */
  readonly errorCode: number | undefined;

  constructor(message: string, options?: { cause?: unknown; errorCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TcpTransportError';
    this.errorCode = options?.errorCode;
  }

  get [TRANSPORT_ERROR](): true {
    return true;
  }

  get [TCP_TRANSPORT_ERROR](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== TcpTransportError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [TCP_TRANSPORT_ERROR]?: unknown })[TCP_TRANSPORT_ERROR] === true;
  }
}
