import type { MigrationResult, ServerStore } from '@cmpkit/issuer';
import { openPostgresPool, type PostgresPool } from './postgres.js';
import { postgresAnnouncementRepository } from './postgres-announcement-repository.js';
import { postgresAnnouncementWakeups } from './postgres-announcement-wakeups.js';
import { postgresCertificateRepository } from './postgres-certificate-repository.js';
import { postgresCrlRepository } from './postgres-crl-repository.js';
import { migratePostgres } from './postgres-migrations.js';
import { postgresNonceStore } from './postgres-nonce-store.js';
import { postgresPendingRequestRepository } from './postgres-pending-request-repository.js';
import { postgresPushSubscriberRepository } from './postgres-push-subscriber-repository.js';
import { postgresRootCaUpdateRepository } from './postgres-root-ca-update-repository.js';
import { postgresSecretStore } from './postgres-secret-store.js';
import { postgresTransactionStore } from './postgres-transaction-store.js';

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
  const wakeups = postgresAnnouncementWakeups(url);
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
    announcementWakeups: { subscribe: (wake) => wakeups.subscribe(wake) },
    pushSubscribers: postgresPushSubscriberRepository(pool, clock),
    // Every PostgreSQL commit is durable (by the server's settings) when it returns.
    flush: async () => {},
    writeMark: () => 0,
    close: async () => {
      if (closed) return;
      closed = true;
      await wakeups.close();
      await pool.end();
    },
  };
}
