const TRANSPORT_ERROR = Symbol.for('cmpkit.error.TransportError');

/**
 * A local failure to move bytes (connection refused, timeout, HTTP status, oversize response).
 * It never goes on the wire. Transports throw their own subclasses of `Error` carrying the same
 * brand (`Symbol.for('cmpkit.error.TransportError')` getter returning true) and `code:
 * 'CMP_ERR_TRANSPORT'`, so they need core's types only; {@link isTransportError} recognises any
 * of them.
 */
export class TransportError extends Error {
  static override readonly name: string = 'TransportError';
  readonly code = 'CMP_ERR_TRANSPORT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
  }

  get [TRANSPORT_ERROR](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== TransportError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isTransportError(value);
  }
}

/** True for an error any cmpkit transport threw for a transport failure. */
export function isTransportError(value: unknown): value is TransportError {
  return typeof value === 'object' && value !== null && (value as { [TRANSPORT_ERROR]?: unknown })[TRANSPORT_ERROR] === true;
}
