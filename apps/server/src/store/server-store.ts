import type { NonceStore, TransactionStore } from '@cmpkit/core';
import { sqliteAnnouncementRepository, type AnnouncementRepository } from './announcement-repository.js';
import { sqliteCertificateRepository, type CertificateRepository } from './certificate-repository.js';
import { sqliteCrlRepository, type CrlRepository } from './crl-repository.js';
import { migrate, type MigrationResult } from './migrations.js';
import { isPostgresUrl, openPostgresPool, type PostgresPool } from './postgres.js';
import { postgresAnnouncementRepository } from './postgres-announcement-repository.js';
import { postgresCertificateRepository } from './postgres-certificate-repository.js';
import { postgresCrlRepository } from './postgres-crl-repository.js';
import { migratePostgres } from './postgres-migrations.js';
import { postgresNonceStore } from './postgres-nonce-store.js';
import { postgresPendingRequestRepository } from './postgres-pending-request-repository.js';
import { postgresPushSubscriberRepository } from './postgres-push-subscriber-repository.js';
import { postgresRootCaUpdateRepository } from './postgres-root-ca-update-repository.js';
import { postgresSecretStore } from './postgres-secret-store.js';
import { postgresTransactionStore } from './postgres-transaction-store.js';
import { sqlitePendingRequestRepository, type PendingRequestRepository } from './pending-request-repository.js';
import { sqlitePushSubscriberRepository, type PushSubscriberRepository } from './push-subscriber-repository.js';
import { sqliteRootCaUpdateRepository, type RootCaUpdateRepository } from './root-ca-update-repository.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';
import { sqliteNonceStore } from './sqlite-nonce-store.js';
import { sqliteSecretStore, type ServerSecretStore } from './sqlite-secret-store.js';
import { sqliteTransactionStore } from './sqlite-transaction-store.js';
import { batchWrites } from './sqlite-write-batch.js';
import { walGroupCommit } from './wal-group-commit.js';

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
  /**
   * Resolves once everything written so far is committed and durable as the configured
   * durability promises. The server awaits it before a response leaves (ARCHITECTURE.md decision
   * 6). With `since` (a {@link writeMark} taken before the request ran) it rejects when writes made
   * after the mark were lost, so their request fails instead of answering. Stores whose writes
   * are durable when they return resolve at once.
   */
  flush(since?: number): Promise<void>;
  /** A mark for {@link flush}: take it before a request runs. */
  writeMark(): number;
  /** Announcements waiting for their recipients (core's AnnouncementStore). */
  readonly announcements: AnnouncementRepository;
  /** HTTP push URLs (core's PushUrlStore). */
  readonly pushSubscribers: PushSubscriberRepository;
  close(): Promise<void>;
}

/** The {@link ServerStore} on one SQLite file. */
export interface SqliteServerStore extends ServerStore {
  readonly db: SqliteDatabase;
}

/** The {@link ServerStore} on a PostgreSQL database that several server instances share. */
export interface PostgresServerStore extends ServerStore {
  readonly pool: PostgresPool;
}

/**
 * Opens the database at `location`, migrates it and wraps it in the stores: a PostgreSQL database
 * for a `postgres://` or `postgresql://` URL, else the SQLite file at that path (created if
 * missing). `durability` applies to SQLite; PostgreSQL commits are durable by its own settings.
 */
export async function openServerStore(
  location: string,
  clock: () => Date = () => new Date(),
  durability: 'full' | 'normal' = 'full',
): Promise<ServerStore> {
  return isPostgresUrl(location) ? openPostgresServerStore(location, clock) : openSqliteServerStore(location, clock, durability);
}

/** Connects to the PostgreSQL database at `url`, migrates it and wraps it in the stores. */
export async function openPostgresServerStore(url: string, clock: () => Date = () => new Date()): Promise<PostgresServerStore> {
  const pool = openPostgresPool(url);
  let migration: MigrationResult;
  try {
    migration = await migratePostgres(pool, undefined, clock);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed = false;
  return {
    pool,
    migration,
    transactions: postgresTransactionStore(pool, clock),
    nonces: postgresNonceStore(pool, clock),
    secrets: postgresSecretStore(pool, clock),
    certificates: postgresCertificateRepository(pool),
    pending: postgresPendingRequestRepository(pool),
    crls: postgresCrlRepository(pool),
    rootCaUpdates: postgresRootCaUpdateRepository(pool),
    announcements: postgresAnnouncementRepository(pool, clock),
    pushSubscribers: postgresPushSubscriberRepository(pool, clock),
    // Every PostgreSQL commit is durable (by the server's settings) when it returns.
    flush: async () => {},
    writeMark: () => 0,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
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
    announcements: sqliteAnnouncementRepository(db, clock),
    pushSubscribers: sqlitePushSubscriberRepository(db, clock),
    close: async () => {
      if (db.open) batch.commit();
      await groupCommit?.close();
      if (db.open) db.close();
    },
  };
}
