import { withServerStoreErrors, type MigrationResult, type ServerStore } from '@cmpkit/issuer';
import { sqlRepositories } from '@cmpkit/store-sql';
import { openPostgresPool, type PostgresPool } from './postgres.js';
import { ANNOUNCEMENT_WRITES, postgresAnnouncementWakeups } from './postgres-announcement-wakeups.js';
import { postgresConnection } from './postgres-connection.js';
import { migratePostgres } from './postgres-migrations.js';

/** The {@link ServerStore} on a PostgreSQL database that several server instances share. */
export interface PostgresServerStore extends ServerStore {
  readonly pool: PostgresPool;
}

/**
 * Connects to the PostgreSQL database at `url`, migrates it and wraps it in the stores. Every
 * failure of the database (connection lost or refused, read-only, full) reaches the caller as
 * core's `StoreError`; the pool opens new connections once the database is back.
 */
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
  const sql = postgresConnection(pool);
  return withServerStoreErrors({
    pool,
    migration,
    ...sqlRepositories(sql, clock, ANNOUNCEMENT_WRITES),
    announcementWakeups: { subscribe: (wake) => wakeups.subscribe(wake) },
    // Every PostgreSQL commit is durable (by the server's settings) when it returns.
    flush: async () => {},
    writeMark: () => 0,
    close: async () => {
      if (closed) return;
      closed = true;
      await wakeups.close();
      await pool.end();
    },
  });
}
