import type { AnnouncementRepository } from '@cmpkit/issuer';
import { bytea, bytesOfBytea, inTransaction, int, type PostgresPool } from './postgres.js';

/**
 * The {@link AnnouncementRepository} on PostgreSQL: what any instance (or the CLI) enqueues, the
 * instance a recipient reaches delivers. Delivered rows are kept with their time.
 */
export function postgresAnnouncementRepository(pool: PostgresPool, clock: () => Date): AnnouncementRepository {
  const addRecipient = 'INSERT INTO announcement_recipients (recipient, added_at) VALUES ($1, $2) ON CONFLICT (recipient) DO NOTHING';
  return {
    async enqueue(recipient, message, createdAt) {
      return inTransaction(pool, async (client) => {
        await client.query(addRecipient, [recipient, createdAt]);
        const { rows } = await client.query<{ id: string }>(
          'INSERT INTO announcements (recipient, message, created_at) VALUES ($1, $2, $3) RETURNING id',
          [recipient, bytea(message), createdAt],
        );
        return rows[0]!.id;
      });
    },
    async pending(recipient) {
      const { rows } = await pool.query<{ id: string; message: Uint8Array; created_at: string }>(
        'SELECT id, message, created_at FROM announcements WHERE recipient = $1 AND delivered_at IS NULL ORDER BY id',
        [recipient],
      );
      return rows.map((row) => ({ id: row.id, message: bytesOfBytea(row.message), createdAt: int(row.created_at) }));
    },
    async delivered(id) {
      if (/^\d+$/.test(id))
        await pool.query('UPDATE announcements SET delivered_at = $1 WHERE id = $2 AND delivered_at IS NULL', [clock().getTime(), id]);
    },
    async addRecipient(recipient) {
      await pool.query(addRecipient, [recipient, clock().getTime()]);
    },
    async recipients() {
      const { rows } = await pool.query<{ recipient: string }>('SELECT recipient FROM announcement_recipients ORDER BY recipient');
      return rows.map((row) => row.recipient);
    },
    async claimCrl(crlNumber) {
      const { rowCount } = await pool.query(
        `INSERT INTO counters (name, value) VALUES ('announced_crl_number', $1)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE counters.value < excluded.value`,
        [crlNumber.toString()],
      );
      return (rowCount ?? 0) > 0;
    },
    async pendingCount() {
      const { rows } = await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM announcements WHERE delivered_at IS NULL');
      return int(rows[0]!.n);
    },
  };
}
