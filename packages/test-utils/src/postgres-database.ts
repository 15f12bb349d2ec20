import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An administrator URL of a PostgreSQL server for the tests, or null when there is none. */
    postgresUrl: string | null;
    /** Why there is none. */
    postgresMissing: string;
  }
}

/** The administrator URL of the tests' PostgreSQL server, or null (see postgres-global-setup.ts). */
export const postgresUrl: string | null = inject('postgresUrl');

/** Why the PostgreSQL tests are skipped, for their titles. */
export const postgresMissing: string = inject('postgresMissing');

/** A new empty database on the tests' server (a schema of its own: quicker to make than a database). */
export interface TestDatabase {
  /** The server's URL with `search_path` set to the schema. */
  url: string;
  /** Drops the schema and all in it. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl! });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a schema with a random name on the tests' PostgreSQL server, and a URL that works in it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!postgresUrl) throw new Error(postgresMissing);
  const name = `cmpkit_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE SCHEMA ${name}`));
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    drop: async () => {
      await admin((client) => client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`));
    },
  };
}
