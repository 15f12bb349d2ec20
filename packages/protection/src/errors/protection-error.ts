import { CmpError, type FailInfo } from '@cmpkit/codec';

/**
 * Thrown when protection, proof-of-possession, a certificate check or a CMS envelope fails, or
 * when asked to use an algorithm or parameters that are not allowed. `failInfo` carries the
 * PKIFailureInfo bits a server puts on the wire for it (badMessageCheck, wrongIntegrity, badAlg,
 * signerNotTrusted, badPOP, ...).
 */
export class ProtectionError extends CmpError {
  static override readonly name: string = 'ProtectionError';

  constructor(failInfo: FailInfo | readonly FailInfo[], message: string, cause?: unknown) {
    super('CMP_ERR_PROTECTION', `protection: ${message}`, {
      failInfo: typeof failInfo === 'string' ? [failInfo] : failInfo,
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'ProtectionError';
  }
}
