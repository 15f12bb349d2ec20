import { isCmpError } from '@cmpkit/codec';
import { StoreError } from '../errors/store-error.js';

function asStoreError(error: unknown, operation: string): unknown {
  return isCmpError(error) || error instanceof RangeError ? error : new StoreError(operation, error);
}

/**
 * The same store with every failure of its methods turned into a {@link StoreError} (a
 * `CmpError`, and a `RangeError` by which a store refuses its input, pass unchanged): what a store implementation wraps its driver in, so that a
 * broken database is answered as systemFailure "try again later" and never as an internal error
 * or a transport failure. Methods keep their shape: a synchronous one still throws
 * synchronously, an asynchronous one rejects.
 *
 * @param name - the store's name in {@link StoreError.operation} (`certificates` gives
 *   `certificates.insert`).
 */
export function withStoreErrors<T extends object>(store: T, name: string): T {
  const guarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== 'function') {
      guarded[key] = value;
      continue;
    }
    const operation = `${name}.${key}`;
    guarded[key] = function (this: unknown, ...args: unknown[]): unknown {
      let result: unknown;
      try {
        result = (value as (...a: unknown[]) => unknown).apply(store, args);
      } catch (error) {
        throw asStoreError(error, operation);
      }
      if (result instanceof Promise) return result.catch((error: unknown) => Promise.reject(asStoreError(error, operation)));
      return result;
    };
  }
  return guarded as T;
}
