import type { ServerSecretStore } from '@cmpkit/issuer';
import { bytesOf, type SqliteDatabase } from './sqlite.js';

/** The {@link ServerSecretStore} on SQLite. */
export function sqliteSecretStore(db: SqliteDatabase, clock: () => Date): ServerSecretStore {
  const select = db.prepare<[string], { secret: Uint8Array }>('SELECT secret FROM shared_secrets WHERE reference = ?');
  const exists = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM shared_secrets WHERE reference = ?');
  const upsert = db.prepare(
    `INSERT INTO shared_secrets (reference, secret, created_at) VALUES (?, ?, ?)
     ON CONFLICT (reference) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at`,
  );
  const all = db.prepare<[], { reference: string; created_at: number }>(
    'SELECT reference, created_at FROM shared_secrets ORDER BY created_at, reference',
  );
  const remove = db.prepare('DELETE FROM shared_secrets WHERE reference = ?');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM shared_secrets');
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
      const row = select.get(reference);
      return row ? bytesOf(row.secret) : undefined;
    },
    async add(reference, secret) {
      if (reference === '') throw new Error('server: a secret reference must not be empty');
      const replaced = exists.get(reference)!.n > 0;
      upsert.run(reference, typeof secret === 'string' ? encoder.encode(secret) : secret, clock().getTime());
      return replaced;
    },
    async list() {
      return all.all().map((r) => ({ reference: r.reference, createdAt: new Date(r.created_at) }));
    },
    async remove(reference) {
      return remove.run(reference).changes > 0;
    },
    async count() {
      return count.get()!.n;
    },
  };
}
