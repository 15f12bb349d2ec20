import { CmpError, type FailInfo } from '@cmpkit/codec';

/**
 * A well-formed request that policy or the issuer refuses: badCertTemplate, badPOP, badCertId,
 * notAuthorized, certRevoked, certConfirmed, duplicateCertReq, ... Thrown by Authorizer and
 * Issuer implementations and by the server's handlers; the message is sent to the peer as the
 * statusString, so it must not contain internals.
 */
export class RequestRejectedError extends CmpError {
  static override readonly name: string = 'RequestRejectedError';

  constructor(failInfo: FailInfo | readonly FailInfo[], message: string, cause?: unknown) {
    super('CMP_ERR_REJECTED', message, {
      failInfo: typeof failInfo === 'string' ? [failInfo] : failInfo,
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'RequestRejectedError';
  }
}
