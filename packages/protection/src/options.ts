import type { AlgorithmRegistry } from './algorithms/registry.js';
import type { CryptoOptions } from './crypto-options.js';
import { defaultAlgorithms } from './algorithms/default-algorithms.js';

/** The crypto seam plus the algorithm registry. */
export interface AlgorithmOptions extends CryptoOptions {
  /** Which algorithms are known and allowed. Default: {@link defaultAlgorithms}. */
  algorithms?: AlgorithmRegistry;
}

/** Time input of every check that looks at validity periods. */
export interface TimeOptions {
  /** The moment to check certificate validity at. Wins over `clock`. */
  at?: Date;
  /** The clock to read when `at` is not given. Default: the platform clock. */
  clock?: () => Date;
}

/** The registry to use. */
export function algorithmsOf(options: AlgorithmOptions | undefined): AlgorithmRegistry {
  return options?.algorithms ?? defaultAlgorithms;
}

/** The moment to check at: `at`, else `clock()`, else the platform clock (read here only). */
export function timeOfCheck(options: TimeOptions | undefined): Date {
  if (options?.at) return options.at;
  if (options?.clock) return options.clock();
  return new Date();
}
