import type { AnnouncementRepository } from '@cmpkit/issuer';
import { bytesOf, numberOf } from './columns.js';
import type { SqlConnection } from './sql-connection.js';

const ADD_RECIPIENT = 'INSERT INTO announcement_recipients (recipient, added_at) VALUES (?, ?) ON CONFLICT (recipient) DO NOTHING';
const INSERT = 'INSERT INTO announcements (recipient, message, created_at) VALUES (?, ?, ?) RETURNING id';
const PENDING = 'SELECT id, message, created_at FROM announcements WHERE recipient = ? AND delivered_at IS NULL ORDER BY id';
const DELIVERED = 'UPDATE announcements SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL';
const RECIPIENTS = 'SELECT recipient FROM announcement_recipients ORDER BY recipient';
const CLAIM_CRL = `INSERT INTO counters (name, value) VALUES ('announced_crl_number', ?)
  ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE counters.value < excluded.value`;
const COUNT = 'SELECT COUNT(*) AS n FROM announcements WHERE delivered_at IS NULL';

/**
 * The {@link AnnouncementRepository} in SQL: what any server instance or an admin command (a
 * separate process) enqueues, the instance a recipient reaches delivers and marks delivered.
 * Delivered rows are kept, with their time, as a record of what was sent.
 */
export function sqlAnnouncementRepository(db: SqlConnection, clock: () => Date): AnnouncementRepository {
  return {
    async enqueue(recipient, message, createdAt) {
      const [, inserted] = await db.atomic([
        { sql: ADD_RECIPIENT, params: [recipient, createdAt] },
        { sql: INSERT, params: [recipient, message, createdAt] },
      ]);
      return String((inserted as { id: unknown }[])[0]!.id);
    },
    async pending(recipient) {
      const rows = await db.all<{ id: unknown; message: unknown; created_at: unknown }>(PENDING, [recipient]);
      return rows.map((row) => ({ id: String(row.id), message: bytesOf(row.message), createdAt: numberOf(row.created_at) }));
    },
    async delivered(id) {
      // At most 18 digits: any id of ours, and always within a 64-bit INTEGER/BIGINT.
      if (/^\d{1,18}$/.test(id)) await db.run(DELIVERED, [clock().getTime(), BigInt(id)]);
    },
    async addRecipient(recipient) {
      await db.run(ADD_RECIPIENT, [recipient, clock().getTime()]);
    },
    async recipients() {
      return (await db.all<{ recipient: string }>(RECIPIENTS)).map((row) => row.recipient);
    },
    async claimCrl(crlNumber) {
      return (await db.run(CLAIM_CRL, [crlNumber])) > 0;
    },
    async pendingCount() {
      const [row] = await db.all<{ n: unknown }>(COUNT);
      return numberOf(row!.n);
    },
  };
}
