/**
 * The clock, sleep and logger every engine takes. The defaults below are the only place in core
 * that touches the platform's time; everything else uses what was injected (STYLE.md P12).
 */

/** Leveled, structured logging; the default does nothing. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Waits `ms` milliseconds; rejects with `signal.reason` when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The injectable runtime of an engine. */
export interface RuntimeInit {
  /** The current time. Default: the platform clock. */
  clock?: () => Date;
  /** Waiting between polls. Default: a platform timer. */
  sleep?: Sleep;
  /** WebCrypto for randomness, hashing and protection. Default: `globalThis.crypto`. */
  crypto?: Crypto;
  /** Default: no logging. */
  logger?: Logger;
}

/** A runtime with every member present. */
export interface Runtime {
  clock: () => Date;
  sleep: Sleep;
  crypto: Crypto;
  logger: Logger;
}

const noop = (): void => {};

/** The logger that drops everything. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Fills in the platform defaults. */
export function resolveRuntime(init: RuntimeInit): Runtime {
  const crypto = init.crypto ?? globalThis.crypto;
  if (!crypto?.subtle) throw new TypeError('core: no WebCrypto implementation available; pass `crypto`');
  return {
    clock: init.clock ?? (() => new Date()),
    sleep: init.sleep ?? timerSleep,
    crypto,
    logger: init.logger ?? silentLogger,
  };
}
