import { describe, expect, it } from 'vitest';
import type { TransactionRecord } from '@cmpkit/core';
import { openSqliteServerStore } from '../../src/store/server-store.js';
import { fakeClock, tempDir } from '../helpers.js';

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

async function setup() {
  const clock = fakeClock();
  const store = await openSqliteServerStore(':memory:', clock);
  return { clock, transactions: store.transactions };
}

describe('sqliteTransactionStore', () => {
  it('creates, reads, updates and deletes a record', async () => {
    const { transactions } = await setup();
    expect(await transactions.create('t1', record(), 60)).toBe(true);
    expect(await transactions.get('t1')).toEqual(record());
    const changed = record({ state: 'done', implicitConfirm: true, profile: 'device' });
    await transactions.update('t1', changed, 60);
    expect(await transactions.get('t1')).toEqual(changed);
    await transactions.delete('t1');
    expect(await transactions.get('t1')).toBeUndefined();
  });

  it('refuses a second create of a live transactionID', async () => {
    const { transactions } = await setup();
    expect(await transactions.create('t1', record(), 60)).toBe(true);
    expect(await transactions.create('t1', record({ bodyType: 'cr' }), 60)).toBe(false);
    expect((await transactions.get('t1'))?.bodyType).toBe('ir');
  });

  it('forgets a record after its TTL, and lets the ID be used again', async () => {
    const { clock, transactions } = await setup();
    await transactions.create('t1', record(), 60);
    clock.advance(59_999);
    expect(await transactions.get('t1')).toBeDefined();
    clock.advance(1);
    expect(await transactions.get('t1')).toBeUndefined();
    expect(await transactions.create('t1', record({ bodyType: 'cr' }), 60)).toBe(true);
    expect((await transactions.get('t1'))?.bodyType).toBe('cr');
  });

  it('update extends the TTL', async () => {
    const { clock, transactions } = await setup();
    await transactions.create('t1', record(), 60);
    clock.advance(50_000);
    await transactions.update('t1', record(), 60);
    clock.advance(50_000);
    expect(await transactions.get('t1')).toBeDefined();
  });

  it('expired(now) lists the records whose confirmDeadline has passed, even past their TTL', async () => {
    const { clock, transactions } = await setup();
    const start = clock().getTime();
    await transactions.create('due', record({ confirmDeadline: start + 10_000 }), 5);
    await transactions.create('later', record({ confirmDeadline: start + 20_000 }), 60);
    await transactions.create('none', record(), 60);
    expect(await transactions.expired(start + 9_999)).toEqual([]);
    clock.advance(15_000);
    expect(await transactions.expired(start + 15_000)).toEqual([{ transactionId: 'due', record: record({ confirmDeadline: start + 10_000 }) }]);
    const both = await transactions.expired(start + 20_000);
    expect(both.map((e) => e.transactionId)).toEqual(['due', 'later']);
  });

  it('expired(now) purges records past their TTL that await no confirmation', async () => {
    const clock = fakeClock();
    const store = await openSqliteServerStore(':memory:', clock);
    await store.transactions.create('old', record(), 1);
    clock.advance(2000);
    await store.transactions.expired(clock().getTime());
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM transactions').get()).toEqual({ n: 0 });
  });

  it('keeps records across a reopen of the file', async () => {
    const file = `${tempDir()}/db.sqlite`;
    const clock = fakeClock();
    const first = await openSqliteServerStore(file, clock);
    await first.transactions.create('t1', record(), 60);
    await first.close();
    const second = await openSqliteServerStore(file, clock);
    expect(await second.transactions.get('t1')).toEqual(record());
    await second.close();
  });
});
