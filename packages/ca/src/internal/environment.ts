import { IssuanceError } from '../errors/issuance-error.js';

/** The injected Crypto, or the platform's. */
export function cryptoOf(crypto: Crypto | undefined): Crypto {
  const c = crypto ?? globalThis.crypto;
  if (!c?.subtle) throw new IssuanceError('systemFailure', 'no WebCrypto implementation is available');
  return c;
}

/** The injected clock, or the system clock. */
export function clockOf(clock: (() => Date) | undefined): () => Date {
  return clock ?? (() => new Date());
}

/** `date` truncated to whole seconds (X.509 times carry no fractions). */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

const DAY_MS = 86_400_000;

/** `date` plus `days` days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}
