import { CmpError, type FailInfo } from '@cmpkit/codec';

/**
 * A message broke the protocol: wrong pvno, transactionID, nonces, recipient, time, or an
 * unexpected body type. Both roles throw it; the server answers it with its failInfo bits.
 */
export class ProtocolError extends CmpError {
  static override readonly name: string = 'ProtocolError';

  constructor(failInfo: FailInfo | readonly FailInfo[], message: string, cause?: unknown) {
    super('CMP_ERR_PROTOCOL', `core: ${message}`, {
      failInfo: typeof failInfo === 'string' ? [failInfo] : failInfo,
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'ProtocolError';
  }
}
