import type { RenewalDeadline, RenewalDeadlineRepository } from '@cmpkit/issuer';
import { dateOf } from './columns.js';
import type { SqlConnection } from './sql-connection.js';

interface Row {
  serial: string;
  deadline: unknown;
  requested_at: unknown;
}

const SET = `INSERT INTO renewal_deadlines (serial, deadline, requested_at) VALUES (?, ?, ?)
  ON CONFLICT (serial) DO UPDATE SET deadline = excluded.deadline, requested_at = excluded.requested_at`;
const SELECT = 'SELECT * FROM renewal_deadlines WHERE serial = ?';
const DUE = 'SELECT * FROM renewal_deadlines WHERE deadline <= ? ORDER BY deadline, serial';
const REMOVE = 'DELETE FROM renewal_deadlines WHERE serial = ?';

const deadlineOf = (row: Row): RenewalDeadline => ({
  serial: row.serial,
  deadline: dateOf(row.deadline),
  requestedAt: dateOf(row.requested_at),
});

/** The {@link RenewalDeadlineRepository} in SQL: one deadline per serial number, a later one replacing it. */
export function sqlRenewalDeadlineRepository(db: SqlConnection): RenewalDeadlineRepository {
  return {
    async set(serial, deadline, requestedAt) {
      await db.run(SET, [serial, deadline.getTime(), requestedAt.getTime()]);
    },
    async get(serial) {
      const [row] = await db.all<Row>(SELECT, [serial]);
      return row ? deadlineOf(row) : undefined;
    },
    async due(now) {
      return (await db.all<Row>(DUE, [now.getTime()])).map(deadlineOf);
    },
    async remove(serial) {
      await db.run(REMOVE, [serial]);
    },
  };
}
