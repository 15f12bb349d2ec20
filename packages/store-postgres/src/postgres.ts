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

/** A BYTEA column as a plain Uint8Array (the driver returns Buffers). */
export function bytesOfBytea(value: Uint8Array): Uint8Array {
  return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
}

/** Bytes as a parameter for a BYTEA column. */
export function bytea(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A BIGINT column (the driver returns it as text, as it may exceed 2^53) as a number of milliseconds or a count. */
export function int(value: string | number): number {
  return Number(value);
}
