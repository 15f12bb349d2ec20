import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { admin, postgresMissing, postgresUrl } from './postgres-database.js';

/** A database on the tests' PostgreSQL server whose connections a test can break and heal. */
export interface FaultyTestDatabase {
  /** Connects as the database's own role (its schema on the search path). */
  url: string;
  /** Cuts every open connection of the role; new ones are refused until {@link heal}. */
  refuseConnections(): Promise<void>;
  /** Cuts every open connection of the role; new ones may read but not write until {@link heal}. */
  readOnly(): Promise<void>;
  /** Undoes the faults; connections opened from now on work (open read-only ones are cut). */
  heal(): Promise<void>;
  /** Drops the schema and the role. */
  drop(): Promise<void>;
}

/**
 * A schema owned by a login role of its own, on the tests' PostgreSQL server: faults injected on
 * that role (its connections cut, logins refused, sessions read-only) hit only the store under
 * test, never the other tests sharing the server. Real faults of the server, not a stub: the
 * store sees the errors the `pg` driver reports when a database goes away or turns read-only.
 */
export async function createFaultyTestDatabase(): Promise<FaultyTestDatabase> {
  if (!postgresUrl) throw new Error(postgresMissing);
  const name = `cmpkit_fault_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await admin(async (client) => {
    await client.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
    await client.query(`CREATE SCHEMA ${name} AUTHORIZATION ${name}`);
  });
  const url = new URL(postgresUrl);
  url.username = name;
  url.password = password;
  url.searchParams.set('options', `-c search_path=${name}`);
  const cut = (client: pg.Client) =>
    client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()', [name]);
  return {
    url: url.toString(),
    refuseConnections: () =>
      admin(async (client) => {
        await client.query(`ALTER ROLE ${name} NOLOGIN`);
        await cut(client);
      }),
    readOnly: () =>
      admin(async (client) => {
        await client.query(`ALTER ROLE ${name} SET default_transaction_read_only = on`);
        await cut(client);
      }),
    heal: () =>
      admin(async (client) => {
        await client.query(`ALTER ROLE ${name} LOGIN`);
        await client.query(`ALTER ROLE ${name} RESET default_transaction_read_only`);
        await cut(client);
      }),
    drop: () =>
      admin(async (client) => {
        await client.query(`ALTER ROLE ${name} NOLOGIN`);
        await cut(client);
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        await client.query(`DROP ROLE IF EXISTS ${name}`);
      }),
  };
}
