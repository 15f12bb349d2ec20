import { withServerStoreErrors, type MigrationResult, type ServerStore } from '@cmpkit/issuer';
import { sqlRepositories } from '@cmpkit/store-sql';
import { announcementSignalPath, fileAnnouncementWakeups, touchAnnouncementSignal } from './announcement-signal-file.js';
import { migrate } from './migrations.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';
import { sqliteConnection } from './sqlite-connection.js';
import { batchWrites } from './sqlite-write-batch.js';
import { walGroupCommit } from './wal-group-commit.js';

/** The {@link ServerStore} on one SQLite file. */
export interface SqliteServerStore extends ServerStore {
  readonly db: SqliteDatabase;
}

/**
 * Opens the SQLite file at `path` (created if missing), migrates it and wraps it in the stores.
 * Every failure of the database (read-only, full, I/O error, a lost write batch) reaches the
 * caller as core's `StoreError`.
 */
export async function openSqliteServerStore(
  path: string,
  clock: () => Date = () => new Date(),
  durability: 'full' | 'normal' = 'full',
): Promise<SqliteServerStore> {
  // 'full' on a file: commits go to the WAL (synchronous NORMAL) and flush() syncs it for every
  // request that committed since the last sync (group commit). An in-memory database has no file.
  const groupCommit = durability === 'full' && path !== ':memory:' ? walGroupCommit(path) : undefined;
  const db = openSqlite(path, groupCommit || durability === 'normal' ? 'normal' : 'full');
  let migration: MigrationResult;
  try {
    migration = migrate(db, undefined, clock);
  } catch (error) {
    db.close();
    throw error;
  }
  const batch = batchWrites(db);
  // Other processes on the file learn of new announcements from a signal file, touched only
  // once the batch that stored them committed (before that they could not read them).
  const signal = path === ':memory:' ? undefined : announcementSignalPath(path);
  const onStored = (): void => {
    if (signal)
      void batch.committed().then(
        () => touchAnnouncementSignal(signal),
        () => {},
      );
  };
  const sql = sqliteConnection(db);
  return withServerStoreErrors({
    db,
    migration,
    ...sqlRepositories(sql, clock, { onStored, onCursorsMoved: () => batch.commit() }),
    announcementWakeups: signal ? fileAnnouncementWakeups(signal) : { subscribe: () => () => {} },
    flush: async (since) => {
      await batch.committed(since);
      await groupCommit?.flush();
    },
    writeMark: () => batch.mark(),
    close: async () => {
      if (db.open) batch.commit();
      await groupCommit?.close();
      if (db.open) db.close();
    },
  });
}
