import { isTransportError, TransportError } from '@cmpkit/core';
import { expect } from 'vitest';

/** Awaits a promise that must reject, and returns the reason. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** A promise with its resolve function. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

/** A promise the test resolves when it chooses. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Asserts a transport failure: core recognises it (`isTransportError`, `instanceof
 * TransportError`), it carries `code: 'CMP_ERR_TRANSPORT'`, and, when `errorClass` is given, it
 * is an instance of that transport's own class. Returns it, typed.
 */
export function expectTransportError<E extends Error = Error>(error: unknown, errorClass?: abstract new (...args: never[]) => E): E {
  expect(isTransportError(error), `expected a TransportError, got ${String(error)}`).toBe(true);
  expect(error).toBeInstanceOf(TransportError);
  expect((error as { code?: unknown }).code).toBe('CMP_ERR_TRANSPORT');
  if (errorClass) expect(error).toBeInstanceOf(errorClass);
  return error as E;
}
