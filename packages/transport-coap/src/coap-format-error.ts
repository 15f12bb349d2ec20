/** Raised by the message codec on octets that are not a well-formed CoAP message; never leaves the package. */
export class CoapFormatError extends Error {
  static override readonly name: string = 'CoapFormatError';

  constructor(message: string) {
    super(`coap: ${message}`);
    this.name = 'CoapFormatError';
  }
}
