import type { PushSubscriberRepository } from '@cmpkit/issuer';
import type { SqliteDatabase } from './sqlite.js';

interface Row {
  recipient: string;
  url: string;
  subject: string | null;
  added_at: number;
}

export function sqlitePushSubscriberRepository(db: SqliteDatabase, clock: () => Date): PushSubscriberRepository {
  const insert = db.prepare('INSERT OR IGNORE INTO push_subscribers (recipient, url, subject, added_at) VALUES (?, ?, ?, ?)');
  const byRecipient = db.prepare<[string], { url: string }>('SELECT url FROM push_subscribers WHERE recipient = ? ORDER BY added_at, url');
  const remove = db.prepare('DELETE FROM push_subscribers WHERE recipient = ? AND url = ?');
  const removeUrl = db.prepare('DELETE FROM push_subscribers WHERE url = ?');
  const recipients = db.prepare<[], { recipient: string }>('SELECT DISTINCT recipient FROM push_subscribers ORDER BY recipient');
  const all = db.prepare<[], Row>('SELECT * FROM push_subscribers ORDER BY added_at, url');
  return {
    async urls(recipient) {
      return byRecipient.all(recipient).map((row) => row.url);
    },
    async register(recipient, url) {
      insert.run(recipient, url, null, clock().getTime());
    },
    async unregister(recipient, url) {
      remove.run(recipient, url);
    },
    async recipients() {
      return recipients.all().map((row) => row.recipient);
    },
    async add(subscriber) {
      return insert.run(subscriber.recipient, subscriber.url, subscriber.subject ?? null, subscriber.addedAt.getTime()).changes > 0;
    },
    async list() {
      return all.all().map((row) => ({
        recipient: row.recipient,
        url: row.url,
        ...(row.subject === null ? {} : { subject: row.subject }),
        addedAt: new Date(row.added_at),
      }));
    },
    async removeUrl(url) {
      return removeUrl.run(url).changes;
    },
  };
}
