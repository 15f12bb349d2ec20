import type { SqlConnection, SqlValue } from '@cmpkit/store-sql';
import { inTransaction, type PostgresClient, type PostgresPool } from './postgres.js';

/** `?` placeholders (outside quoted text) as `$1`, `$2`, ...: the shared SQL in PostgreSQL's syntax. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | undefined;
  for (const char of sql) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      out += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      out += char;
    } else {
      out += char === '?' ? `$${++n}` : char;
    }
  }
  return out;
}

/** Parameters as pg binds them: bytes as a Buffer (BYTEA), bigints as text (BIGINT). */
function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((value) => {
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return typeof value === 'bigint' ? value.toString() : value;
  });
}

/**
 * The {@link SqlConnection} of the shared repositories on a pg pool: each statement runs on any
 * pooled connection (a commit is durable when it returns), `atomic` on one connection between
 * BEGIN and COMMIT.
 */
export function postgresConnection(pool: PostgresPool): SqlConnection {
  const texts = new Map<string, string>();
  const text = (sql: string): string => {
    let numbered = texts.get(sql);
    if (numbered === undefined) texts.set(sql, (numbered = numberedPlaceholders(sql)));
    return numbered;
  };
  const query = (client: PostgresPool | PostgresClient, sql: string, params: readonly SqlValue[] = []) =>
    client.query(text(sql), bind(params));
  return {
    async run(sql, params) {
      return (await query(pool, sql, params)).rowCount ?? 0;
    },
    async all<Row>(sql: string, params?: readonly SqlValue[]) {
      return (await query(pool, sql, params)).rows as Row[];
    },
    atomic: (statements) =>
      inTransaction(pool, async (client) => {
        const rows: unknown[][] = [];
        for (const { sql, params } of statements) rows.push((await query(client, sql, params)).rows);
        return rows;
      }),
    jsonList: 'SELECT e.i, e.value FROM json_array_elements_text(CAST(? AS json)) WITH ORDINALITY AS e(value, i)',
  };
}
