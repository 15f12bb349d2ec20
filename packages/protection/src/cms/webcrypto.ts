import { isCmpError, type FailInfo } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';

/**
 * Runs a WebCrypto step and turns whatever it throws (DOMException, provider errors) into a
 * {@link ProtectionError}, so callers never see a raw platform exception. A ProtectionError
 * thrown inside passes through unchanged.
 */
export async function guard<T>(step: () => Promise<T>, failInfo: FailInfo, message: string): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isCmpError(error)) throw error;
    throw new ProtectionError(failInfo, message, error);
  }
}

/** Copies a view into a fresh ArrayBuffer (what WebCrypto and asn1-schema want). */
export function bufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

/** UTF-8 bytes of a password given as text. */
export function passwordBytes(password: Uint8Array | string): Uint8Array {
  return typeof password === 'string' ? new TextEncoder().encode(password) : password;
}

/** Random bytes from the injected crypto. */
export function randomBytes(crypto: Crypto, length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
