import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteServerStore } from '../src/server-store.js';
import { walGroupCommit } from '../src/wal-group-commit.js';

const dir = mkdtempSync(join(tmpdir(), 'cmpkit-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('walGroupCommit', () => {
  it('resolves when the database has no WAL yet', async () => {
    const path = join(dir, 'none.sqlite');
    const commit = walGroupCommit(path);
    await commit.flush();
    await commit.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('durability full on a file: commits go to the WAL without a sync each, flush() syncs them, concurrent flushes all resolve', async () => {
    const path = join(dir, 'full.sqlite');
    const store = await openSqliteServerStore(path, () => new Date(), 'full');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
    await store.secrets.add('kid-1', 'secret-1');
    await store.secrets.add('kid-2', 'secret-2');
    await Promise.all(Array.from({ length: 20 }, () => store.flush()));
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();

    const reopened = await openSqliteServerStore(path, () => new Date(), 'full');
    try {
      expect(await reopened.secrets.count()).toBe(2);
    } finally {
      await reopened.close();
    }
  });

  it('an in-memory database keeps synchronous FULL semantics and flushes at once', async () => {
    const store = await openSqliteServerStore(':memory:', () => new Date(), 'full');
    try {
      expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
      await store.flush();
    } finally {
      await store.close();
    }
  });
});
