import { bytea, bytesOfBytea, int, type PostgresPool } from './postgres.js';
import type { ServerSecretStore } from '@cmpkit/issuer';

/** The {@link ServerSecretStore} on PostgreSQL: a secret added through one instance verifies MACs on all. */
export function postgresSecretStore(pool: PostgresPool, clock: () => Date): ServerSecretStore {
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
      const { rows } = await pool.query<{ secret: Uint8Array }>('SELECT secret FROM shared_secrets WHERE reference = $1', [reference]);
      return rows[0] ? bytesOfBytea(rows[0].secret) : undefined;
    },
    async add(reference, secret) {
      if (reference === '') throw new Error('server: a secret reference must not be empty');
      const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
      const { rows } = await pool.query<{ replaced: boolean }>(
        `WITH previous AS (SELECT 1 FROM shared_secrets WHERE reference = $1)
         INSERT INTO shared_secrets (reference, secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (reference) DO UPDATE SET secret = EXCLUDED.secret, created_at = EXCLUDED.created_at
         RETURNING EXISTS (SELECT 1 FROM previous) AS replaced`,
        [reference, bytea(bytes), clock().getTime()],
      );
      return rows[0]!.replaced;
    },
    async list() {
      const { rows } = await pool.query<{ reference: string; created_at: string }>(
        'SELECT reference, created_at FROM shared_secrets ORDER BY created_at, reference',
      );
      return rows.map((r) => ({ reference: r.reference, createdAt: new Date(int(r.created_at)) }));
    },
    async remove(reference) {
      const result = await pool.query('DELETE FROM shared_secrets WHERE reference = $1', [reference]);
      return (result.rowCount ?? 0) > 0;
    },
    async count() {
      const { rows } = await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM shared_secrets');
      return int(rows[0]!.n);
    },
  };
}
