import type { RenewalDeadline, RenewalDeadlineRepository } from '@cmpkit/issuer';
import { int, type PostgresPool } from './postgres.js';

interface Row {
  serial: string;
  deadline: string;
  requested_at: string;
}

const fromRow = (row: Row): RenewalDeadline => ({
  serial: row.serial,
  deadline: new Date(int(row.deadline)),
  requestedAt: new Date(int(row.requested_at)),
});

/** The {@link RenewalDeadlineRepository} on PostgreSQL. */
export function postgresRenewalDeadlineRepository(pool: PostgresPool): RenewalDeadlineRepository {
  return {
    async set(serial, deadline, requestedAt) {
      await pool.query(
        `INSERT INTO renewal_deadlines (serial, deadline, requested_at) VALUES ($1, $2, $3)
         ON CONFLICT (serial) DO UPDATE SET deadline = EXCLUDED.deadline, requested_at = EXCLUDED.requested_at`,
        [serial, deadline.getTime(), requestedAt.getTime()],
      );
    },
    async get(serial) {
      const { rows } = await pool.query<Row>('SELECT * FROM renewal_deadlines WHERE serial = $1', [serial]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async due(now) {
      const { rows } = await pool.query<Row>('SELECT * FROM renewal_deadlines WHERE deadline <= $1 ORDER BY deadline, serial', [
        now.getTime(),
      ]);
      return rows.map(fromRow);
    },
    async remove(serial) {
      await pool.query('DELETE FROM renewal_deadlines WHERE serial = $1', [serial]);
    },
  };
}
