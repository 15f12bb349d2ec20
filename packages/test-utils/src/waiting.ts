import type { FakeClock } from './fake-clock.js';

const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Settles `promise`, advancing the fake clock by `stepMs` whenever the code under test sleeps
 * (polling, batch timers, delayed delivery) and never otherwise. There is no cap on the number of
 * event-loop turns: work on the thread pool (WebCrypto, SQLite) takes many turns on a loaded
 * machine, and a turn count would make the test depend on machine speed. A promise that never
 * settles ends at the test's own timeout.
 */
export async function settleWithClock<T>(promise: Promise<T>, clock: Pick<FakeClock, 'pending' | 'advance'>, stepMs = 1000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  while (!settled) {
    await nextTurn();
    if (!settled && clock.pending() > 0) clock.advance(stepMs);
  }
  return watched;
}

/** Options of {@link waitUntil}. */
export interface WaitUntilOptions {
  /** Real time to wait before giving up (default 15 s). */
  timeoutMs?: number;
  /** Real time between two checks (default 20 ms). */
  intervalMs?: number;
  /** Names the condition in the error thrown on timeout. */
  what?: string;
}

/**
 * Checks `condition` until it returns a value other than `undefined`, `false` or `null`, and
 * returns that value. Bounded by real time, never by a number of attempts, so that a loaded
 * machine only makes it slower. A condition that throws counts as not yet met.
 */
export async function waitUntil<T>(
  condition: () => T | Promise<T>,
  options: WaitUntilOptions = {},
): Promise<Exclude<T, undefined | false | null>> {
  const { timeoutMs = 15_000, intervalMs = 20, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false && value !== null) return value as Exclude<T, undefined | false | null>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitUntil: ${what} was not met within ${timeoutMs} ms`, lastError === undefined ? {} : { cause: lastError });
    }
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}
