/** A clock that moves only when the test says so. */
export interface FakeClock {
  /** The current fake time in ms since the epoch. */
  now(): number;
  /** The current fake time as a `Date` (for `clock?: () => Date` parameters). */
  date(): Date;
  /** Moves time forward by `ms` and resolves, in due order, every sleep that has come due. */
  advance(ms: number): void;
  /**
   * Resolves once the clock has been advanced by `ms` (at once for `ms <= 0`); rejects with
   * `signal.reason` when the signal aborts first.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** How many sleeps are waiting: lets a test wait until the code under test sleeps. */
  pending(): number;
}

/** 2026-12-01T00:00:00Z: inside the validity of the OpenSSL 3.0 fixture certificates. */
const DEFAULT_START = Date.UTC(2026, 11, 1);

interface Sleeper {
  due: number;
  seq: number;
  resolve(): void;
}

/**
 * A deterministic clock: `now()` starts at `start` (default 2026-12-01T00:00:00Z) and changes only
 * through `advance(ms)`; `sleep(ms, signal)` resolves when the clock has been advanced past its
 * due time. The functions are bound, so `const { now, sleep } = fakeClock()` works.
 *
 * @example
 * ```ts
 * const clock = fakeClock();
 * const done = clock.sleep(1000);
 * clock.advance(999);   // still pending
 * clock.advance(1);     // done resolves
 * ```
 */
export function fakeClock(init?: { start?: number | Date }): FakeClock {
  const start = init?.start;
  let time = start === undefined ? DEFAULT_START : typeof start === 'number' ? start : start.getTime();
  let seq = 0;
  const sleepers: Sleeper[] = [];

  const remove = (sleeper: Sleeper): void => {
    const index = sleepers.indexOf(sleeper);
    if (index >= 0) sleepers.splice(index, 1);
  };

  return {
    now: () => time,
    date: () => new Date(time),
    advance(ms: number): void {
      if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`fakeClock: advance(${ms}) needs a finite ms >= 0`);
      time += ms;
      const due = sleepers.filter((s) => s.due <= time).sort((a, b) => a.due - b.due || a.seq - b.seq);
      for (const sleeper of due) {
        remove(sleeper);
        sleeper.resolve();
      }
    },
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        if (!(ms > 0)) {
          resolve();
          return;
        }
        const onAbort = (): void => {
          remove(sleeper);
          reject(signal?.reason);
        };
        const sleeper: Sleeper = {
          due: time + ms,
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        sleepers.push(sleeper);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    pending: () => sleepers.length,
  };
}
