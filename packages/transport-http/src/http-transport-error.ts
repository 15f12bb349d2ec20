const TRANSPORT_ERROR = Symbol.for('cmpkit.error.TransportError');
const HTTP_TRANSPORT_ERROR = Symbol.for('cmpkit.error.HttpTransportError');

/**
 * A local failure to move a PKIMessage over HTTP: connection refused or reset, timeout, a status
 * other than 200, a redirect, a missing or wrong `Content-Type`, an empty or oversize body. It
 * never goes on the wire.
 *
 * It carries the brand of `@cmpkit/core`'s `TransportError` (`Symbol.for('cmpkit.error.TransportError')`
 * and `code: 'CMP_ERR_TRANSPORT'`), so `isTransportError(e)` and `e instanceof TransportError`
 * from `@cmpkit/core` are true for it, whichever copy of core is loaded.
 */
export class HttpTransportError extends Error {
  static override readonly name: string = 'HttpTransportError';
  readonly code = 'CMP_ERR_TRANSPORT';
  /** The HTTP status of the answer, when one was received. */
  readonly status: number | undefined;

  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpTransportError';
    this.status = options?.status;
  }

  get [TRANSPORT_ERROR](): true {
    return true;
  }

  get [HTTP_TRANSPORT_ERROR](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== HttpTransportError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [HTTP_TRANSPORT_ERROR]?: unknown })[HTTP_TRANSPORT_ERROR] === true;
  }
}
