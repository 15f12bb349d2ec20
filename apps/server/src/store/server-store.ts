import type { NonceStore, TransactionStore } from '@cmpkit/core';
import { sqliteCertificateRepository, type CertificateRepository } from './certificate-repository.js';
import { sqliteCrlRepository, type CrlRepository } from './crl-repository.js';
import { migrate, type MigrationResult } from './migrations.js';
import { sqlitePendingRequestRepository, type PendingRequestRepository } from './pending-request-repository.js';
import { sqliteRootCaUpdateRepository, type RootCaUpdateRepository } from './root-ca-update-repository.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';
import { sqliteNonceStore } from './sqlite-nonce-store.js';
import { sqliteSecretStore, type ServerSecretStore } from './sqlite-secret-store.js';
import { sqliteTransactionStore } from './sqlite-transaction-store.js';

/** Everything the server keeps, on one database. */
export interface ServerStore {
  /** What the migrations did when the database was opened. */
  readonly migration: MigrationResult;
  readonly transactions: TransactionStore;
  readonly nonces: NonceStore;
  readonly secrets: ServerSecretStore;
  readonly certificates: CertificateRepository;
  readonly pending: PendingRequestRepository;
  readonly crls: CrlRepository;
  readonly rootCaUpdates: RootCaUpdateRepository;
  close(): Promise<void>;
}

/** The {@link ServerStore} on one SQLite file. */
export interface SqliteServerStore extends ServerStore {
  readonly db: SqliteDatabase;
}

/** Opens the database at `path` (created if missing), migrates it and wraps it in the stores. */
export async function openServerStore(
  path: string,
  clock: () => Date = () => new Date(),
  durability: 'full' | 'normal' = 'full',
): Promise<ServerStore> {
  return openSqliteServerStore(path, clock, durability);
}

/** Opens the SQLite file at `path` (created if missing), migrates it and wraps it in the stores. */
export async function openSqliteServerStore(
  path: string,
  clock: () => Date = () => new Date(),
  durability: 'full' | 'normal' = 'full',
): Promise<SqliteServerStore> {
  const db = openSqlite(path, durability);
  let migration: MigrationResult;
  try {
    migration = migrate(db, undefined, clock);
  } catch (error) {
    db.close();
    throw error;
  }
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
    close: async () => {
      if (db.open) db.close();
    },
  };
}
