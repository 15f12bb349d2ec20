import { expectTransportError } from '@cmpkit/test-utils';
import { WsTransportError } from '../../src/index.js';

export { deferred, rejection } from '@cmpkit/test-utils';

/** Asserts a transport error from this package, recognised by core, and returns it. */
export const expectWsTransportError = (error: unknown): WsTransportError => expectTransportError(error, WsTransportError);

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

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
