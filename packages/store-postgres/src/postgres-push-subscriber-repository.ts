import { int, type PostgresPool } from './postgres.js';
import type { PushSubscriberRepository } from '@cmpkit/issuer';

interface Row {
  recipient: string;
  url: string;
  subject: string | null;
  added_at: string;
}

/** The {@link PushSubscriberRepository} on PostgreSQL. */
export function postgresPushSubscriberRepository(pool: PostgresPool, clock: () => Date): PushSubscriberRepository {
  const insert =
    'INSERT INTO push_subscribers (recipient, url, subject, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT (recipient, url) DO NOTHING';
  return {
    async urls(recipient) {
      const { rows } = await pool.query<{ url: string }>('SELECT url FROM push_subscribers WHERE recipient = $1 ORDER BY added_at, url', [
        recipient,
      ]);
      return rows.map((row) => row.url);
    },
    async register(recipient, url) {
      await pool.query(insert, [recipient, url, null, clock().getTime()]);
    },
    async unregister(recipient, url) {
      await pool.query('DELETE FROM push_subscribers WHERE recipient = $1 AND url = $2', [recipient, url]);
    },
    async recipients() {
      const { rows } = await pool.query<{ recipient: string }>('SELECT DISTINCT recipient FROM push_subscribers ORDER BY recipient');
      return rows.map((row) => row.recipient);
    },
    async add(subscriber) {
      const result = await pool.query(insert, [
        subscriber.recipient,
        subscriber.url,
        subscriber.subject ?? null,
        subscriber.addedAt.getTime(),
      ]);
      return (result.rowCount ?? 0) > 0;
    },
    async list() {
      const { rows } = await pool.query<Row>('SELECT * FROM push_subscribers ORDER BY added_at, url');
      return rows.map((row) => ({
        recipient: row.recipient,
        url: row.url,
        ...(row.subject === null ? {} : { subject: row.subject }),
        addedAt: new Date(int(row.added_at)),
      }));
    },
    async removeUrl(url) {
      const result = await pool.query('DELETE FROM push_subscribers WHERE url = $1', [url]);
      return result.rowCount ?? 0;
    },
  };
}
