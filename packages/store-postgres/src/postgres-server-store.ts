import type { MigrationResult, ServerStore } from '@cmpkit/issuer';
import {
  sqlCrlRepository,
  sqlNonceStore,
  sqlPendingRequestRepository,
  sqlPushSubscriberRepository,
  sqlRootCaUpdateRepository,
  sqlTransactionStore,
} from '@cmpkit/store-sql';
import { openPostgresPool, type PostgresPool } from './postgres.js';
import { postgresAnnouncementRepository } from './postgres-announcement-repository.js';
import { postgresCertificateRepository } from './postgres-certificate-repository.js';
import { postgresConnection } from './postgres-connection.js';
import { migratePostgres } from './postgres-migrations.js';
import { postgresSecretStore } from './postgres-secret-store.js';

/** The {@link ServerStore} on a PostgreSQL database that several server instances share. */
export interface PostgresServerStore extends ServerStore {
  readonly pool: PostgresPool;
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
  const sql = postgresConnection(pool);
  return {
    pool,
    migration,
    transactions: sqlTransactionStore(sql, clock),
    nonces: sqlNonceStore(sql, clock),
    secrets: postgresSecretStore(pool, clock),
    certificates: postgresCertificateRepository(pool),
    pending: sqlPendingRequestRepository(sql),
    crls: sqlCrlRepository(sql),
    rootCaUpdates: sqlRootCaUpdateRepository(sql),
    announcements: postgresAnnouncementRepository(pool, clock),
    pushSubscribers: sqlPushSubscriberRepository(sql, clock),
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
