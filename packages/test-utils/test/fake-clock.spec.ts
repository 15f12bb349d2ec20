import { describe, expect, it } from 'vitest';
import { fakeClock } from '../src/index.js';

/** Lets pending promise callbacks run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { state: () => 'pending' | 'resolved' | 'rejected'; reason: () => unknown } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let reason: unknown;
  promise.then(
    () => (state = 'resolved'),
    (e) => {
      state = 'rejected';
      reason = e;
    },
  );
  return { state: () => state, reason: () => reason };
}

describe('fakeClock', () => {
  it('starts at 2026-12-01T00:00:00Z unless told otherwise', () => {
    expect(new Date(fakeClock().now()).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(fakeClock({ start: 1000 }).now()).toBe(1000);
    expect(
      fakeClock({ start: new Date('2030-01-02T03:04:05Z') })
        .date()
        .toISOString(),
    ).toBe('2030-01-02T03:04:05.000Z');
  });

  it('moves only when advanced', () => {
    const clock = fakeClock({ start: 0 });
    expect(clock.now()).toBe(0);
    clock.advance(250);
    clock.advance(0);
    expect(clock.now()).toBe(250);
    expect(clock.date().getTime()).toBe(250);
  });

  it('resolves a sleep once the clock reaches its due time', async () => {
    const clock = fakeClock({ start: 0 });
    const slept = track(clock.sleep(1000));
    expect(clock.pending()).toBe(1);
    clock.advance(999);
    await flush();
    expect(slept.state()).toBe('pending');
    clock.advance(1);
    await flush();
    expect(slept.state()).toBe('resolved');
    expect(clock.pending()).toBe(0);
  });

  it('resolves due sleeps in due order, ties in call order', async () => {
    const clock = fakeClock({ start: 0 });
    const order: string[] = [];
    void clock.sleep(300).then(() => order.push('300'));
    void clock.sleep(100).then(() => order.push('100a'));
    void clock.sleep(100).then(() => order.push('100b'));
    void clock.sleep(500).then(() => order.push('500'));
    clock.advance(300);
    await flush();
    expect(order).toEqual(['100a', '100b', '300']);
    expect(clock.pending()).toBe(1);
    clock.advance(200);
    await flush();
    expect(order).toEqual(['100a', '100b', '300', '500']);
  });

  it('resolves a sleep of 0 or less at once', async () => {
    const clock = fakeClock();
    const zero = track(clock.sleep(0));
    const negative = track(clock.sleep(-5));
    await flush();
    expect(zero.state()).toBe('resolved');
    expect(negative.state()).toBe('resolved');
    expect(clock.pending()).toBe(0);
  });

  it('rejects with the signal reason when aborted before or during the sleep', async () => {
    const clock = fakeClock();
    const early = new Error('early');
    const before = track(clock.sleep(10, AbortSignal.abort(early)));
    const controller = new AbortController();
    const during = track(clock.sleep(10, controller.signal));
    expect(clock.pending()).toBe(1);
    const late = new Error('late');
    controller.abort(late);
    await flush();
    expect(before.state()).toBe('rejected');
    expect(before.reason()).toBe(early);
    expect(during.state()).toBe('rejected');
    expect(during.reason()).toBe(late);
    expect(clock.pending()).toBe(0);
    clock.advance(10);
    await flush();
    expect(during.state()).toBe('rejected');
  });

  it('ignores an abort after the sleep resolved', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const slept = track(clock.sleep(5, controller.signal));
    clock.advance(5);
    controller.abort(new Error('too late'));
    await flush();
    expect(slept.state()).toBe('resolved');
  });

  it('refuses to go backwards or by a non-finite step', () => {
    const clock = fakeClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('works destructured, and clocks are independent', async () => {
    const { now, advance, sleep } = fakeClock({ start: 0 });
    const other = fakeClock({ start: 0 });
    const slept = track(sleep(10));
    advance(10);
    await flush();
    expect(slept.state()).toBe('resolved');
    expect(now()).toBe(10);
    expect(other.now()).toBe(0);
  });
});
