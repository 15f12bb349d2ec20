import type { PendingAnnouncement } from '@cmpkit/core';
import type { AnnouncementRepository } from '@cmpkit/issuer';
import { bytesOf, type SqliteDatabase } from './sqlite.js';

interface Row {
  id: number;
  message: Uint8Array;
  created_at: number;
}

/**
 * Announcements not yet delivered, in SQLite: the admin commands (separate processes) enqueue,
 * the running server delivers and marks them delivered. Delivered rows are kept (with their
 * time) as a record of what was sent.
 */
export function sqliteAnnouncementRepository(db: SqliteDatabase, clock: () => Date): AnnouncementRepository {
  const insert = db.prepare('INSERT INTO announcements (recipient, message, created_at) VALUES (?, ?, ?)');
  const addRecipient = db.prepare('INSERT OR IGNORE INTO announcement_recipients (recipient, added_at) VALUES (?, ?)');
  const pending = db.prepare<[string], Row>(
    'SELECT id, message, created_at FROM announcements WHERE recipient = ? AND delivered_at IS NULL ORDER BY id',
  );
  const delivered = db.prepare('UPDATE announcements SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL');
  const recipients = db.prepare<[], { recipient: string }>('SELECT recipient FROM announcement_recipients ORDER BY recipient');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM announcements WHERE delivered_at IS NULL');
  const claimCrl = db.prepare(
    "INSERT INTO counters (name, value) VALUES ('announced_crl_number', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE value < excluded.value",
  );
  const enqueue = db.transaction((recipient: string, message: Uint8Array, createdAt: number): number => {
    addRecipient.run(recipient, createdAt);
    return Number(insert.run(recipient, message, createdAt).lastInsertRowid);
  });
  return {
    async enqueue(recipient, message, createdAt) {
      return String(enqueue(recipient, message, createdAt));
    },
    async pending(recipient): Promise<PendingAnnouncement[]> {
      return pending.all(recipient).map((row) => ({ id: String(row.id), message: bytesOf(row.message), createdAt: row.created_at }));
    },
    async delivered(id) {
      if (/^\d+$/.test(id)) delivered.run(clock().getTime(), Number(id));
    },
    async addRecipient(recipient) {
      addRecipient.run(recipient, clock().getTime());
    },
    async recipients() {
      return recipients.all().map((row) => row.recipient);
    },
    async claimCrl(crlNumber) {
      return claimCrl.run(crlNumber).changes > 0;
    },
    async pendingCount() {
      return count.get()?.n ?? 0;
    },
  };
}
