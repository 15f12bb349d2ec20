import type { MigrationResult, ServerStore } from '@cmpkit/issuer';
import { sqliteAnnouncementRepository } from './announcement-repository.js';
import { announcementSignalPath, fileAnnouncementWakeups, touchAnnouncementSignal } from './announcement-signal-file.js';
import { sqliteCertificateRepository } from './certificate-repository.js';
import { sqliteCrlRepository } from './crl-repository.js';
import { migrate } from './migrations.js';
import { sqlitePendingRequestRepository } from './pending-request-repository.js';
import { sqlitePushSubscriberRepository } from './push-subscriber-repository.js';
import { sqliteRootCaUpdateRepository } from './root-ca-update-repository.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';
import { sqliteNonceStore } from './sqlite-nonce-store.js';
import { sqliteSecretStore } from './sqlite-secret-store.js';
import { sqliteTransactionStore } from './sqlite-transaction-store.js';
import { batchWrites } from './sqlite-write-batch.js';
import { walGroupCommit } from './wal-group-commit.js';

/** The {@link ServerStore} on one SQLite file. */
export interface SqliteServerStore extends ServerStore {
  readonly db: SqliteDatabase;
}

/** Opens the SQLite file at `path` (created if missing), migrates it and wraps it in the stores. */
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
  return {
    db,
    migration,
    transactions: sqliteTransactionStore(db, clock),
    nonces: sqliteNonceStore(db, clock),
    secrets: sqliteSecretStore(db, clock),
    certificates: sqliteCertificateRepository(db),
    pending: sqlitePendingRequestRepository(db),
    crls: sqliteCrlRepository(db),
    rootCaUpdates: sqliteRootCaUpdateRepository(db),
    flush: async (since) => {
      await batch.committed(since);
      await groupCommit?.flush();
    },
    writeMark: () => batch.mark(),
    announcements: sqliteAnnouncementRepository(db, clock, onStored),
    announcementWakeups: signal ? fileAnnouncementWakeups(signal) : { subscribe: () => () => {} },
    pushSubscribers: sqlitePushSubscriberRepository(db, clock),
    close: async () => {
      if (db.open) batch.commit();
      await groupCommit?.close();
      if (db.open) db.close();
    },
  };
}
