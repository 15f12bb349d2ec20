import { describe, expect, it } from 'vitest';
import { openSqliteServerStore } from '../../src/store/server-store.js';
import { fakeClock } from '../helpers.js';

describe('sqliteNonceStore', () => {
  it('accepts a nonce once within its lifetime, and again after it', async () => {
    const clock = fakeClock();
    const { nonces } = await openSqliteServerStore(':memory:', clock);
    expect(await nonces.remember('n1', 10)).toBe(true);
    expect(await nonces.remember('n1', 10)).toBe(false);
    expect(await nonces.remember('n2', 10)).toBe(true);
    clock.advance(9_999);
    expect(await nonces.remember('n1', 10)).toBe(false);
    clock.advance(1);
    expect(await nonces.remember('n1', 10)).toBe(true);
  });

  it('deletes expired nonces as new ones arrive', async () => {
    const clock = fakeClock();
    const store = await openSqliteServerStore(':memory:', clock);
    for (let i = 0; i < 5; i++) await store.nonces.remember(`old${i}`, 1);
    clock.advance(1000);
    await store.nonces.remember('fresh', 1);
    expect(store.db.prepare('SELECT nonce FROM nonces').all()).toEqual([{ nonce: 'fresh' }]);
  });
});
