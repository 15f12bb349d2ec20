import type { ServerStore } from '@cmpkit/issuer';

/** Told about every call to the store: `operation` is `<part>.<method>` (`certificates.insert`) or `flush`. */
export interface StoreObserver {
  succeeded(operation: string, args: readonly unknown[], result: unknown): void;
  failed(operation: string, error: unknown): void;
}

/** The parts of a {@link ServerStore} whose calls are observed. */
const PARTS = [
  'transactions',
  'nonces',
  'secrets',
  'certificates',
  'pending',
  'crls',
  'rootCaUpdates',
  'announcements',
  'pushSubscribers',
] as const satisfies readonly (keyof ServerStore)[];

type Method = (...args: unknown[]) => unknown;

/** `method` reporting each call's outcome; a promise's outcome when it settles. */
function observed(method: Method, self: unknown, operation: string, observer: StoreObserver): Method {
  return (...args) => {
    let result: unknown;
    try {
      result = method.apply(self, args);
    } catch (error) {
      observer.failed(operation, error);
      throw error;
    }
    if (!(result instanceof Promise)) {
      observer.succeeded(operation, args, result);
      return result;
    }
    return result.then(
      (value: unknown) => {
        observer.succeeded(operation, args, value);
        return value;
      },
      (error: unknown) => {
        observer.failed(operation, error);
        throw error;
      },
    );
  };
}

function observePart<T extends object>(part: T, name: string, observer: StoreObserver): T {
  const methods = new Map<PropertyKey, Method>();
  return new Proxy(part, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      let method = methods.get(key);
      if (!method) {
        method = observed(value as Method, target, `${name}.${key}`, observer);
        methods.set(key, method);
      }
      return method;
    },
  });
}

/**
 * The same store with every call of its repositories and `flush` reported to `observer`, for the
 * metrics: failures (store errors), and what was stored (certificates issued and revoked,
 * announcements queued and delivered). The store itself is untouched.
 */
export function observeStore<S extends ServerStore>(store: S, observer: StoreObserver): S {
  const parts = new Map<PropertyKey, unknown>(PARTS.map((name) => [name, observePart(store[name], name, observer)]));
  const flush = observed(store.flush as Method, store, 'flush', observer);
  return new Proxy(store, {
    get(target, key, receiver) {
      if (parts.has(key)) return parts.get(key);
      if (key === 'flush') return flush;
      return Reflect.get(target, key, receiver);
    },
  });
}
