import { codeText } from './coap-codes.js';

const TRANSPORT_ERROR = Symbol.for('cmpkit.error.TransportError');
const COAP_TRANSPORT_ERROR = Symbol.for('cmpkit.error.CoapTransportError');

/**
 * A local failure to move a PKIMessage over CoAP: no acknowledgement after the last
 * retransmission, a Reset, a timeout, the connection closing, an error response (4.xx, 5.xx) with
 * no PKIMessage, an answer over `maxMessageBytes`. It never goes on the wire.
 *
 * It carries the brand of `@cmpkit/core`'s `TransportError` (`Symbol.for('cmpkit.error.TransportError')`
 * and `code: 'CMP_ERR_TRANSPORT'`), so `isTransportError(e)` from `@cmpkit/core` is true for it.
 */
export class CoapTransportError extends Error {
  static override readonly name: string = 'CoapTransportError';
  readonly code = 'CMP_ERR_TRANSPORT';
  /** The CoAP response code when the failure is an error response (`0x8d` is 4.13), else undefined. */
  readonly responseCode: number | undefined;

  constructor(message: string, options?: { cause?: unknown; responseCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoapTransportError';
    this.responseCode = options?.responseCode;
  }

  /** The response code as CoAP writes it (`4.13`), or undefined. */
  get responseCodeText(): string | undefined {
    return this.responseCode === undefined ? undefined : codeText(this.responseCode);
  }

  get [TRANSPORT_ERROR](): true {
    return true;
  }

  get [COAP_TRANSPORT_ERROR](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== CoapTransportError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [COAP_TRANSPORT_ERROR]?: unknown })[COAP_TRANSPORT_ERROR] === true;
  }
}
