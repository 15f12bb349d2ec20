import type { TransactionRecord, TransactionStore } from '@cmpkit/core';
import type { SqliteDatabase } from './sqlite.js';

interface Row {
  transaction_id: string;
  record: string;
  expires_at: number;
  confirm_deadline: number | null;
}

/**
 * Core's {@link TransactionStore} on SQLite: one row per open transaction, the record as JSON. A
 * record past its TTL is gone for `create` and `get`; `expired(now)` lists the records whose
 * confirmDeadline has passed (whatever their TTL), so unconfirmed certificates are revoked even
 * after a restart.
 */
export function sqliteTransactionStore(db: SqliteDatabase, clock: () => Date): TransactionStore {
  const selectOne = db.prepare<[string], Row>('SELECT * FROM transactions WHERE transaction_id = ?');
  // A claim: a new row, or the replacement of an expired one; a live row changes nothing.
  const claim = db.prepare(
    `INSERT INTO transactions (transaction_id, record, expires_at, confirm_deadline) VALUES (?, ?, ?, ?)
     ON CONFLICT (transaction_id) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at,
       confirm_deadline = excluded.confirm_deadline WHERE transactions.expires_at <= ?`,
  );
  const upsert = db.prepare(
    `INSERT INTO transactions (transaction_id, record, expires_at, confirm_deadline) VALUES (?, ?, ?, ?)
     ON CONFLICT (transaction_id) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at,
       confirm_deadline = excluded.confirm_deadline`,
  );
  const remove = db.prepare('DELETE FROM transactions WHERE transaction_id = ?');
  const purge = db.prepare('DELETE FROM transactions WHERE expires_at <= ? AND confirm_deadline IS NULL');
  const overdue = db.prepare<[number], Row>(
    'SELECT * FROM transactions WHERE confirm_deadline IS NOT NULL AND confirm_deadline <= ? ORDER BY confirm_deadline',
  );

  const live = (id: string, now: number): Row | undefined => {
    const row = selectOne.get(id);
    return row && row.expires_at > now ? row : undefined;
  };
  const parse = (row: Row): TransactionRecord => JSON.parse(row.record) as TransactionRecord;
  const expiry = (ttlSeconds: number): number => clock().getTime() + ttlSeconds * 1000;

  return {
    async create(transactionId, record, ttlSeconds) {
      const now = clock().getTime();
      const changed = claim.run(transactionId, JSON.stringify(record), now + ttlSeconds * 1000, record.confirmDeadline ?? null, now);
      return changed.changes > 0;
    },
    async get(transactionId) {
      const row = live(transactionId, clock().getTime());
      return row ? parse(row) : undefined;
    },
    async update(transactionId, record, ttlSeconds) {
      upsert.run(transactionId, JSON.stringify(record), expiry(ttlSeconds), record.confirmDeadline ?? null);
    },
    async delete(transactionId) {
      remove.run(transactionId);
    },
    async expired(now) {
      purge.run(now);
      return overdue.all(now).map((row) => ({ transactionId: row.transaction_id, record: parse(row) }));
    },
  };
}
