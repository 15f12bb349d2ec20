// The admission of new connections at a bounded rate: what a transport asks before it spends
// anything on a connection during a reconnect storm.
import { createConnectionRateLimit } from '@cmpkit/core';
import { fakeClock } from '@cmpkit/test-utils';
import { describe, expect, it } from 'vitest';

describe('createConnectionRateLimit', () => {
  it('admits a burst, then the sustained rate, and refuses the rest with spread retry times', () => {
    const clock = fakeClock();
    const admit = createConnectionRateLimit({ perSecond: 10, burst: 20, clock: clock.date });
    const first = Array.from({ length: 25 }, () => admit('127.0.0.1:1'));
    expect(first.filter((d) => d.admitted)).toHaveLength(20);
    // The refused are told to come back later and later, as the admitted rate needs.
    const waits = first.filter((d) => !d.admitted).map((d) => (d.admitted ? 0 : d.retryAfterSeconds));
    expect(waits).toEqual([1, 1, 1, 1, 1]);
    const storm = Array.from({ length: 100 }, () => admit('127.0.0.1:1'));
    expect(storm.every((d) => !d.admitted)).toBe(true);
    expect(storm.map((d) => (d.admitted ? 0 : d.retryAfterSeconds)).slice(-3)).toEqual([11, 11, 11]);

    clock.advance(1000); // ten tokens back
    const next = Array.from({ length: 11 }, () => admit('127.0.0.1:1'));
    expect(next.filter((d) => d.admitted)).toHaveLength(10);
    clock.advance(60_000);
    expect(Array.from({ length: 20 }, () => admit('127.0.0.1:1')).every((d) => d.admitted)).toBe(true);
  });

  it('caps the retry time and refuses nonsense settings', () => {
    const clock = fakeClock();
    const admit = createConnectionRateLimit({ perSecond: 1, maxRetryAfterSeconds: 5, clock: clock.date });
    expect(admit('a').admitted).toBe(true);
    const waits = Array.from({ length: 10 }, () => admit('a')).map((d) => (d.admitted ? 0 : d.retryAfterSeconds));
    expect(waits).toEqual([1, 2, 3, 4, 5, 5, 5, 5, 5, 5]);
    expect(() => createConnectionRateLimit({ perSecond: 0 })).toThrow(RangeError);
    expect(() => createConnectionRateLimit({ perSecond: 5, burst: 0.5 })).toThrow(RangeError);
  });
});
