import pg from 'pg';

/** A pool of connections to one PostgreSQL database (the `pg` driver). */
export type PostgresPool = pg.Pool;

/** One connection taken from the pool. */
export type PostgresClient = pg.PoolClient;

/** Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** `location` with the password replaced, for logs and `cmpkit-server config`. */
export function withoutPassword(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '(hidden)';
    return url.toString();
  } catch {
    return location;
  }
}

/**
 * Opens a pool on the database at `url`. Commits use PostgreSQL's default `synchronous_commit = on`,
 * so a committed certificate is on disk before the response that carries it leaves.
 */
export function openPostgresPool(url: string, maxConnections = 10): PostgresPool {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle connection that breaks (the database restarts) is dropped from the pool; the next
  // query opens a new one or reports the failure to its caller. Without a listener the error
  // would end the process.
  pool.on('error', () => {});
  return pool;
}

/** Runs `work` in one database transaction on one connection: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}
