import type { ServerSecretStore } from '@cmpkit/issuer';
import { bytesOf, dateOf, numberOf } from './columns.js';
import type { SqlConnection } from './sql-connection.js';

const SELECT = 'SELECT secret FROM shared_secrets WHERE reference = ?';
const EXISTS = 'SELECT COUNT(*) AS n FROM shared_secrets WHERE reference = ?';
const UPSERT = `INSERT INTO shared_secrets (reference, secret, created_at) VALUES (?, ?, ?)
  ON CONFLICT (reference) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at`;
const ALL = 'SELECT reference, created_at FROM shared_secrets ORDER BY created_at, reference';
const REMOVE = 'DELETE FROM shared_secrets WHERE reference = ?';
const COUNT = 'SELECT COUNT(*) AS n FROM shared_secrets';

/**
 * The {@link ServerSecretStore} in SQL: a secret added through one server instance (or the
 * `secret` command) verifies MACs on all. A senderKID is looked up as its UTF-8 text; `add`
 * reads whether the reference existed and replaces it in one transaction.
 */
export function sqlSecretStore(db: SqlConnection, clock: () => Date): ServerSecretStore {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const encoder = new TextEncoder();
  return {
    async get(senderKID) {
      let reference: string;
      try {
        reference = decoder.decode(senderKID);
      } catch {
        return undefined; // not UTF-8: no reference of ours
      }
      const [row] = await db.all<{ secret: unknown }>(SELECT, [reference]);
      return row ? bytesOf(row.secret) : undefined;
    },
    async add(reference, secret) {
      if (reference === '') throw new Error('server: a secret reference must not be empty');
      const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
      const [existing] = await db.atomic([
        { sql: EXISTS, params: [reference] },
        { sql: UPSERT, params: [reference, bytes, clock().getTime()] },
      ]);
      return numberOf((existing as { n: unknown }[])[0]!.n) > 0;
    },
    async list() {
      const rows = await db.all<{ reference: string; created_at: unknown }>(ALL);
      return rows.map((row) => ({ reference: row.reference, createdAt: dateOf(row.created_at) }));
    },
    async remove(reference) {
      return (await db.run(REMOVE, [reference])) > 0;
    },
    async count() {
      const [row] = await db.all<{ n: unknown }>(COUNT);
      return numberOf(row!.n);
    },
  };
}
