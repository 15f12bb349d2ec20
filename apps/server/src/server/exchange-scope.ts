import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerExchange } from '@cmpkit/core';

/** What is known about the exchange being handled, for everything that runs on its behalf. */
export interface ExchangeState {
  /** The request's transactionID (hex), when its header decoded. */
  readonly transactionID: string | undefined;
  /** What the engine told about the message received (depth 0), once it answered. */
  exchange?: ServerExchange;
}

/**
 * The exchange each piece of asynchronous work belongs to (node:async_hooks): a request's handler
 * runs in its scope, and so does everything it awaits, down to the store and the issuer. The log
 * lines written meanwhile get the transactionID, and the engine's `onExchange` report finds the
 * request it belongs to.
 */
export interface ExchangeScope {
  run<T>(state: ExchangeState, work: () => T): T;
  /** The state of the exchange being handled, or undefined outside of one. */
  current(): ExchangeState | undefined;
}

/** A new scope (one per server process). */
export function createExchangeScope(): ExchangeScope {
  const storage = new AsyncLocalStorage<ExchangeState>();
  return {
    run: (state, work) => storage.run(state, work),
    current: () => storage.getStore(),
  };
}
