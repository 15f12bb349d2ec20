import type { TransactionRecord, TransactionStore } from '@cmpkit/core';
import type { SqlConnection } from './sql-connection.js';

const UPSERT = `INSERT INTO transactions (transaction_id, record, expires_at, confirm_deadline) VALUES (?, ?, ?, ?)
  ON CONFLICT (transaction_id) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at,
    confirm_deadline = excluded.confirm_deadline`;
/** Inserts, or takes over a row whose TTL is over; a live row stays as it is (no row changed). */
const CREATE = `${UPSERT} WHERE transactions.expires_at <= ?`;
const GET = 'SELECT record FROM transactions WHERE transaction_id = ? AND expires_at > ?';
const DELETE = 'DELETE FROM transactions WHERE transaction_id = ?';
const PURGE = 'DELETE FROM transactions WHERE expires_at <= ? AND confirm_deadline IS NULL';
const OVERDUE =
  'SELECT transaction_id, record FROM transactions WHERE confirm_deadline IS NOT NULL AND confirm_deadline <= ? ORDER BY confirm_deadline';

/**
 * Core's {@link TransactionStore} in SQL, one row per open transaction with the record as JSON,
 * shared by every server instance: a transaction begun on one (ir) continues on another
 * (certConf, pollReq). `create` is one statement, so two instances never both open one
 * transactionID. A record past its TTL is gone for `create` and `get`; `expired(now)` lists the
 * records whose confirmDeadline has passed (whatever their TTL), so unconfirmed certificates are
 * revoked even after a restart.
 */
export function sqlTransactionStore(db: SqlConnection, clock: () => Date): TransactionStore {
  const expiry = (ttlSeconds: number): number => clock().getTime() + ttlSeconds * 1000;
  const parse = (record: string): TransactionRecord => JSON.parse(record) as TransactionRecord;
  return {
    async create(transactionId, record, ttlSeconds) {
      const params = [transactionId, JSON.stringify(record), expiry(ttlSeconds), record.confirmDeadline ?? null, clock().getTime()];
      return (await db.run(CREATE, params)) > 0;
    },
    async get(transactionId) {
      const [row] = await db.all<{ record: string }>(GET, [transactionId, clock().getTime()]);
      return row ? parse(row.record) : undefined;
    },
    async update(transactionId, record, ttlSeconds) {
      await db.run(UPSERT, [transactionId, JSON.stringify(record), expiry(ttlSeconds), record.confirmDeadline ?? null]);
    },
    async delete(transactionId) {
      await db.run(DELETE, [transactionId]);
    },
    async expired(now) {
      await db.run(PURGE, [now]);
      const rows = await db.all<{ transaction_id: string; record: string }>(OVERDUE, [now]);
      return rows.map((row) => ({ transactionId: row.transaction_id, record: parse(row.record) }));
    },
  };
}
