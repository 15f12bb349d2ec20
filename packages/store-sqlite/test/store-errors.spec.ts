// Every failure of the database reaches the store's caller as core's StoreError (systemFailure,
// "try again later" when a server answers with it), with the driver's error as cause: a
// read-only connection, and a batch of writes that SQLite rolled back before its commit.
import { describe, expect, it } from 'vitest';
import { isStoreError } from '@cmpkit/core';
import { tempDir } from '@cmpkit/test-utils';
import { join } from 'node:path';
import { openSqliteServerStore } from '../src/server-store.js';

describe('store errors of the SQLite server store', () => {
  it('a write refused by the database rejects with a StoreError naming the operation; reads and later writes work', async () => {
    const store = await openSqliteServerStore(join(tempDir(), 'store.sqlite'));
    try {
      store.db.pragma('query_only = ON');
      const error = await store.nonces.remember('aa'.repeat(16), 60).catch((e: unknown) => e);
      expect(isStoreError(error)).toBe(true);
      expect(error).toMatchObject({ operation: 'nonces.remember', failInfo: ['systemFailure'], cause: { code: 'SQLITE_READONLY' } });
      expect((error as Error).message).toMatch(/try again later/);
      expect(await store.secrets.count()).toBe(0);
      store.db.pragma('query_only = OFF');
      expect(await store.nonces.remember('aa'.repeat(16), 60)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('a lost batch of writes fails the flush of the requests whose writes were in it, with a StoreError', async () => {
    const store = await openSqliteServerStore(join(tempDir(), 'store.sqlite'));
    try {
      const mark = store.writeMark();
      expect(await store.nonces.remember('bb'.repeat(16), 60)).toBe(true);
      store.db.prepare('ROLLBACK').run(); // what SQLite does after an I/O error in a transaction
      const error = await store.flush(mark).catch((e: unknown) => e);
      expect(isStoreError(error)).toBe(true);
      expect(error).toMatchObject({ operation: 'store.flush' });
      const after = store.writeMark();
      expect(await store.nonces.remember('bb'.repeat(16), 60)).toBe(true); // the lost write is not there
      await expect(store.flush(after)).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
