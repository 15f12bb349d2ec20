import type { ServerStore } from '@cmpkit/issuer';
import { isPostgresUrl, openPostgresServerStore } from '@cmpkit/store-postgres';
import { openSqliteServerStore } from '@cmpkit/store-sqlite';

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
