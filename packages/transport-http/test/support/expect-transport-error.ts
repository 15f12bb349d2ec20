import { expectTransportError } from '@cmpkit/test-utils';
import { HttpTransportError } from '../../src/index.js';

export { deferred, rejection } from '@cmpkit/test-utils';

/** Asserts a transport error from this package, recognised by core, and returns it. */
export const expectHttpTransportError = (error: unknown): HttpTransportError => expectTransportError(error, HttpTransportError);
