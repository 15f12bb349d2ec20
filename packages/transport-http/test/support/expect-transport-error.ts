import { isTransportError, TransportError } from '@cmpkit/core';
import { expect } from 'vitest';
import { HttpTransportError } from '../../src/index.js';

/** Awaits a promise that must reject, and returns the reason. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Asserts a transport error from this package, recognised by core, and returns it. */
export function expectHttpTransportError(error: unknown): HttpTransportError {
  expect(error).toBeInstanceOf(HttpTransportError);
  expect(isTransportError(error)).toBe(true);
  expect(error).toBeInstanceOf(TransportError);
  expect((error as HttpTransportError).code).toBe('CMP_ERR_TRANSPORT');
  return error as HttpTransportError;
}
