import { describe, expect, it } from 'vitest';
import { openSqliteServerStore } from '../src/server-store.js';
import { fakeClock } from '@cmpkit/test-utils';

describe('the nonce store on SQLite', () => {
  it('deletes expired nonces as new ones arrive, at most every 10 seconds', async () => {
    const clock = fakeClock();
    const store = await openSqliteServerStore(':memory:', clock.date);
    for (let i = 0; i < 5; i++) await store.nonces.remember(`old${i}`, 1);
    clock.advance(1000);
    await store.nonces.remember('second', 1);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM nonces').get()).toEqual({ n: 6 });
    clock.advance(9000);
    await store.nonces.remember('fresh', 1);
    expect(store.db.prepare('SELECT nonce FROM nonces').all()).toEqual([{ nonce: 'fresh' }]);
  });
});
