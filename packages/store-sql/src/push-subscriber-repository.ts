import type { PushSubscriberRepository } from '@cmpkit/issuer';
import { dateOf, optional } from './columns.js';
import type { SqlConnection } from './sql-connection.js';

interface Row {
  recipient: string;
  url: string;
  subject: string | null;
  added_at: unknown;
}

const INSERT =
  'INSERT INTO push_subscribers (recipient, url, subject, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (recipient, url) DO NOTHING';
const URLS = 'SELECT url FROM push_subscribers WHERE recipient = ? ORDER BY added_at, url';
const REMOVE = 'DELETE FROM push_subscribers WHERE recipient = ? AND url = ?';
const REMOVE_URL = 'DELETE FROM push_subscribers WHERE url = ?';
const RECIPIENTS = 'SELECT DISTINCT recipient FROM push_subscribers ORDER BY recipient';
const ALL = 'SELECT * FROM push_subscribers ORDER BY added_at, url';

/** The {@link PushSubscriberRepository} in SQL: HTTP push URLs that any server instance (and the `subscriber` command) sees. */
export function sqlPushSubscriberRepository(db: SqlConnection, clock: () => Date): PushSubscriberRepository {
  return {
    async urls(recipient) {
      return (await db.all<{ url: string }>(URLS, [recipient])).map((row) => row.url);
    },
    async register(recipient, url) {
      await db.run(INSERT, [recipient, url, null, clock().getTime()]);
    },
    async unregister(recipient, url) {
      await db.run(REMOVE, [recipient, url]);
    },
    async recipients() {
      return (await db.all<{ recipient: string }>(RECIPIENTS)).map((row) => row.recipient);
    },
    async add(subscriber) {
      return (await db.run(INSERT, [subscriber.recipient, subscriber.url, subscriber.subject ?? null, subscriber.addedAt.getTime()])) > 0;
    },
    async list() {
      return (await db.all<Row>(ALL)).map((row) => ({
        recipient: row.recipient,
        url: row.url,
        ...optional('subject', row.subject, String),
        addedAt: dateOf(row.added_at),
      }));
    },
    async removeUrl(url) {
      return db.run(REMOVE_URL, [url]);
    },
  };
}
