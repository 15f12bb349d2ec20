import BetterSqlite3 from 'better-sqlite3';

/** An open SQLite database (better-sqlite3: synchronous, one connection per process). */
export type SqliteDatabase = BetterSqlite3.Database;

/**
 * Opens (or creates) the SQLite file at `path` (`':memory:'` for a private in-memory one) with
 * write-ahead logging, so the CLI can approve requests and add secrets while a server runs on
 * the same file, and a busy timeout for the moments both write.
 *
 * Transactions that read before they write run with `.immediate()` (BEGIN IMMEDIATE): a deferred
 * one that upgrades to writing fails with SQLITE_BUSY at once, without the busy timeout, when
 * another connection (a CLI command, another cluster worker) committed in between.
 */
export function openSqlite(path: string, synchronous: 'full' | 'normal' = 'full'): SqliteDatabase {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // FULL: every commit is fsynced before it returns. NORMAL: commits reach the WAL only; the
  // server store then makes them durable with a group commit (wal-group-commit.ts).
  db.pragma(synchronous === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  return db;
}
