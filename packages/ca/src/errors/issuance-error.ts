import { CmpError, type FailInfo } from '@cmpkit/codec';

/**
 * Thrown when the CA refuses or cannot issue a certificate or a CRL: a template the profile does
 * not allow (`badCertTemplate`), a key of a refused algorithm or size (`badAlg`), an issuer name
 * that is not this CA (`wrongAuthority`), a CA that may not issue the requested certificate
 * (`notAuthorized`), or a CA that is misconfigured or expired (`systemFailure`,
 * `systemUnavail`). `failInfo` carries the PKIFailureInfo bits a server puts on the wire.
 *
 * The message is written for the requester: a CMP server sends it to the peer as statusString,
 * so it never carries keys, stack traces or other internals.
 */
export class IssuanceError extends CmpError {
  static override readonly name: string = 'IssuanceError';

  constructor(failInfo: FailInfo | readonly FailInfo[], message: string, cause?: unknown) {
    super('CMP_ERR_ISSUANCE', `ca: ${message}`, {
      failInfo: typeof failInfo === 'string' ? [failInfo] : failInfo,
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'IssuanceError';
  }
}
