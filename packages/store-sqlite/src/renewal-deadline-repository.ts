import type { RenewalDeadline, RenewalDeadlineRepository } from '@cmpkit/issuer';
import type { SqliteDatabase } from './sqlite.js';

interface Row {
  serial: string;
  deadline: number;
  requested_at: number;
}

const fromRow = (row: Row): RenewalDeadline => ({
  serial: row.serial,
  deadline: new Date(row.deadline),
  requestedAt: new Date(row.requested_at),
});

/** The {@link RenewalDeadlineRepository} on SQLite. */
export function sqliteRenewalDeadlineRepository(db: SqliteDatabase): RenewalDeadlineRepository {
  const upsert = db.prepare(
    `INSERT INTO renewal_deadlines (serial, deadline, requested_at) VALUES (?, ?, ?)
     ON CONFLICT (serial) DO UPDATE SET deadline = excluded.deadline, requested_at = excluded.requested_at`,
  );
  const select = db.prepare<[string], Row>('SELECT * FROM renewal_deadlines WHERE serial = ?');
  const due = db.prepare<[number], Row>('SELECT * FROM renewal_deadlines WHERE deadline <= ? ORDER BY deadline, serial');
  const remove = db.prepare('DELETE FROM renewal_deadlines WHERE serial = ?');
  return {
    async set(serial, deadline, requestedAt) {
      upsert.run(serial, deadline.getTime(), requestedAt.getTime());
    },
    async get(serial) {
      const row = select.get(serial);
      return row ? fromRow(row) : undefined;
    },
    async due(now) {
      return due.all(now.getTime()).map(fromRow);
    },
    async remove(serial) {
      remove.run(serial);
    },
  };
}
