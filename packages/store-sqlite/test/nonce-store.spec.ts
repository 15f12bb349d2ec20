import { describe, expect, it } from 'vitest';
import { openSqliteServerStore } from '../src/server-store.js';
import { fakeClock } from '@cmpkit/test-utils';

describe('the nonce store on SQLite', () => {
  it('deletes expired nonces as new ones arrive, at most once a minute', async () => {
    const clock = fakeClock();
    const store = await openSqliteServerStore(':memory:', clock.date);
    const nonces = () =>
      store.db
        .prepare<[], { nonce: string }>('SELECT nonce FROM nonces ORDER BY nonce')
        .all()
        .map((r) => r.nonce);
    for (let i = 0; i < 5; i++) await store.nonces.remember(`old${i}`, 1);
    clock.advance(1000);
    await store.nonces.remember('fresh', 1);
    // The last purge ran with the first nonce: the expired ones wait for the next minute.
    expect(nonces()).toEqual(['fresh', 'old0', 'old1', 'old2', 'old3', 'old4']);
    clock.advance(60_000);
    await store.nonces.remember('later', 1);
    expect(nonces()).toEqual(['later']);
  });

  it('refuses a live nonce and accepts it again once expired, without a purge in between', async () => {
    const clock = fakeClock();
    const store = await openSqliteServerStore(':memory:', clock.date);
    expect(await store.nonces.remember('n', 10)).toBe(true);
    expect(await store.nonces.remember('n', 10)).toBe(false);
    clock.advance(10_000);
    expect(await store.nonces.remember('n', 10)).toBe(true);
    expect(await store.nonces.remember('n', 10)).toBe(false);
  });
});
