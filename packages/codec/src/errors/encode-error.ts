import { CmpError } from './cmp-error.js';

/**
 * Thrown by `encode*` when a value cannot be written as DER: a malformed OID string, a time out
 * of range, a missing required field. It is a programming error of the caller, never input from
 * a peer.
 */
export class EncodeError extends CmpError {
  static override readonly name: string = 'EncodeError';

  constructor(detail: string) {
    super('CMP_ERR_ENCODE', `codec: cannot encode: ${detail}`, { failInfo: ['badDataFormat'] });
    this.name = 'EncodeError';
  }
}
