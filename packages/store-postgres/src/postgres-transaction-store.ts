import type { TransactionRecord, TransactionStore } from '@cmpkit/core';
import type { PostgresPool } from './postgres.js';

/**
 * Core's {@link TransactionStore} on PostgreSQL, shared by every instance: a transaction begun on
 * one (ir) continues on another (certConf, pollReq). `create` is one statement that inserts, or
 * takes over an expired row, so two instances never both open the same transactionID.
 */
export function postgresTransactionStore(pool: PostgresPool, clock: () => Date): TransactionStore {
  const expiry = (ttlSeconds: number): number => clock().getTime() + ttlSeconds * 1000;
  const parse = (record: string): TransactionRecord => JSON.parse(record) as TransactionRecord;
  return {
    async create(transactionId, record, ttlSeconds) {
      const result = await pool.query(
        `INSERT INTO transactions (transaction_id, record, expires_at, confirm_deadline) VALUES ($1, $2, $3, $4)
         ON CONFLICT (transaction_id) DO UPDATE SET record = EXCLUDED.record, expires_at = EXCLUDED.expires_at,
           confirm_deadline = EXCLUDED.confirm_deadline
         WHERE transactions.expires_at <= $5`,
        [transactionId, JSON.stringify(record), expiry(ttlSeconds), record.confirmDeadline ?? null, clock().getTime()],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async get(transactionId) {
      const { rows } = await pool.query<{ record: string }>(
        'SELECT record FROM transactions WHERE transaction_id = $1 AND expires_at > $2',
        [transactionId, clock().getTime()],
      );
      return rows[0] ? parse(rows[0].record) : undefined;
    },
    async update(transactionId, record, ttlSeconds) {
      await pool.query(
        `INSERT INTO transactions (transaction_id, record, expires_at, confirm_deadline) VALUES ($1, $2, $3, $4)
         ON CONFLICT (transaction_id) DO UPDATE SET record = EXCLUDED.record, expires_at = EXCLUDED.expires_at,
           confirm_deadline = EXCLUDED.confirm_deadline`,
        [transactionId, JSON.stringify(record), expiry(ttlSeconds), record.confirmDeadline ?? null],
      );
    },
    async delete(transactionId) {
      await pool.query('DELETE FROM transactions WHERE transaction_id = $1', [transactionId]);
    },
    async expired(now) {
      await pool.query('DELETE FROM transactions WHERE expires_at <= $1 AND confirm_deadline IS NULL', [now]);
      const { rows } = await pool.query<{ transaction_id: string; record: string }>(
        'SELECT transaction_id, record FROM transactions WHERE confirm_deadline IS NOT NULL AND confirm_deadline <= $1 ORDER BY confirm_deadline',
        [now],
      );
      return rows.map((row) => ({ transactionId: row.transaction_id, record: parse(row.record) }));
    },
  };
}
