import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDatabase } from '../src/sqlite.js';
import { batchWrites, type SqliteWriteBatch } from '../src/sqlite-write-batch.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('batchWrites', () => {
  let dir: string;
  let path: string;
  let db: SqliteDatabase;
  let batch: SqliteWriteBatch;
  let other: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-batch-'));
    path = join(dir, 'store.db');
    db = openSqlite(path, 'normal');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    batch = batchWrites(db);
    other = openSqlite(path, 'normal');
  });

  afterEach(() => {
    if (db.open) db.close();
    if (other.open) other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowsSeenByAnotherProcess = (): number => {
    // A second connection that is not patched stands for another process: it sees commits only.
    const unpatched = openSqlite(path, 'normal');
    try {
      return (unpatched.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
    } finally {
      unpatched.close();
    }
  };

  it('keeps the writes of one turn in one transaction and commits them when the turn ends', async () => {
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    insert.run('a', 1);
    insert.run('b', 2);
    expect(db.inTransaction).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
    await turn();
    expect(db.inTransaction).toBe(false);
    expect(rowsSeenByAnotherProcess()).toBe(2);
  });

  it('commits at once on commit(), and committed() waits for the end of the turn', async () => {
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    insert.run('a', 1);
    batch.commit();
    expect(db.inTransaction).toBe(false);
    insert.run('b', 2);
    let done = false;
    const committed = batch.committed().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    await committed;
    expect(db.inTransaction).toBe(false);
    expect(rowsSeenByAnotherProcess()).toBe(2);
    await expect(batch.committed()).resolves.toBeUndefined();
  });

  it('keeps transaction functions atomic as savepoints inside the batch', async () => {
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    insert.run('kept', 1);
    const both = db.transaction((a: string, b: string) => {
      insert.run(a, 1);
      insert.run(b, 1);
    });
    expect(() => both('x', 'kept')).toThrow(/UNIQUE/);
    both('y', 'z');
    await turn();
    expect((db.prepare('SELECT k FROM t ORDER BY k').all() as Array<{ k: string }>).map((r) => r.k)).toEqual(['kept', 'y', 'z']);
  });

  it('rolls back only a failing statement, not the batch', async () => {
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    insert.run('a', 1);
    expect(() => insert.run('a', 2)).toThrow(/UNIQUE/);
    await turn();
    expect(rowsSeenByAnotherProcess()).toBe(1);
  });

  it('reports a lost batch to the requests whose writes were in it, not to earlier ones', async () => {
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const before = batch.mark();
    insert.run('a', 1);
    await batch.committed(before);
    const during = batch.mark();
    insert.run('b', 2);
    db.prepare('ROLLBACK').run(); // what SQLite does after an I/O error: the transaction is gone
    await expect(batch.committed(during)).rejects.toThrow(/could not be committed/);
    expect(() => batch.commit(before)).toThrow(/could not be committed/); // `before` is older than the lost batch too
    const after = batch.mark();
    insert.run('c', 3);
    await expect(batch.committed(after)).resolves.toBeUndefined();
    expect(rowsSeenByAnotherProcess()).toBe(2);
  });

  it('commits before another connection of this process runs a statement, so it neither waits for itself nor reads stale rows', () => {
    batchWrites(other);
    const insertHere = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const insertThere = other.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const countThere = other.prepare('SELECT count(*) AS n FROM t');
    insertHere.run('a', 1);
    expect(countThere.get()).toEqual({ n: 1 });
    insertThere.run('b', 2); // would wait for the busy timeout if `db` still held the write lock
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
  });
});
