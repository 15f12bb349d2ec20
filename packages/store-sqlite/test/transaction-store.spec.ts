import { describe, expect, it } from 'vitest';
import type { TransactionRecord } from '@cmpkit/core';
import { openSqliteServerStore } from '../src/server-store.js';
import { fakeClock, tempDir } from '@cmpkit/test-utils';

function record(overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    bodyType: 'ir',
    state: 'awaitingConfirm',
    lastResponseNonce: 'aa'.repeat(16),
    requesterKey: 'mac:64656d6f',
    pvno: 2,
    certificates: [{ certReqId: 0, certificate: 'MAA=' }],
    tickets: [],
    ...overrides,
  };
}

describe('the transaction store on SQLite', () => {
  it('expired(now) purges records past their TTL that await no confirmation', async () => {
    const clock = fakeClock();
    const store = await openSqliteServerStore(':memory:', clock.date);
    await store.transactions.create('old', record(), 1);
    clock.advance(2000);
    await store.transactions.expired(clock.now());
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM transactions').get()).toEqual({ n: 0 });
  });

  it('keeps records across a reopen of the file', async () => {
    const file = `${tempDir()}/db.sqlite`;
    const clock = fakeClock();
    const first = await openSqliteServerStore(file, clock.date);
    await first.transactions.create('t1', record(), 60);
    await first.close();
    const second = await openSqliteServerStore(file, clock.date);
    expect(await second.transactions.get('t1')).toEqual(record());
    await second.close();
  });
});
