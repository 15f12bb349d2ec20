import { isTransportError, TransportError } from '@cmpkit/core';
import { expect } from 'vitest';
import { WsTransportError } from '../../src/index.js';

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
export function expectWsTransportError(error: unknown): WsTransportError {
  expect(error).toBeInstanceOf(WsTransportError);
  expect(isTransportError(error)).toBe(true);
  expect(error).toBeInstanceOf(TransportError);
  expect((error as WsTransportError).code).toBe('CMP_ERR_TRANSPORT');
  return error as WsTransportError;
}

/** A promise with its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Deterministic bytes that look like a DER SEQUENCE header. */
export function message(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) & 0xff;
  bytes[0] = 0x30;
  return bytes;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The echo handler's answer: every octet XOR 0xff. */
export const answerTo = (request: Uint8Array): Uint8Array => request.map((octet) => octet ^ 0xff);

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
