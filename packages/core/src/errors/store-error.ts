import { CmpError, isCmpError } from '@cmpkit/codec';

const STORE_ERROR_CODE = 'CMP_ERR_STORE';

/**
 * The server's store failed (database unreachable, read-only or full, a lost write batch): not a
 * fault of the request, so it is answered with systemFailure and a text asking to try again
 * later. Stores wrap their driver's errors in it (the driver error is the `cause`, which goes to
 * the log only); the server engine counts these failures in its log.
 */
export class StoreError extends CmpError {
  static override readonly name: string = 'StoreError';
  /** What failed, for the log (e.g. `certificates.insert`); never sent. */
  readonly operation: string;

  constructor(operation: string, cause: unknown) {
    super(STORE_ERROR_CODE, 'the server cannot use its database now; try again later', { failInfo: ['systemFailure'], cause });
    this.name = 'StoreError';
    this.operation = operation;
  }
}

/** True for a {@link StoreError}, including one from another copy of this package. */
export function isStoreError(value: unknown): value is StoreError {
  return isCmpError(value) && value.code === STORE_ERROR_CODE;
}
