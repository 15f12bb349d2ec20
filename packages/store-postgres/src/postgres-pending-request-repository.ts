import type { PendingKind, PendingRequest, PendingRequestRepository, PendingStatus } from '@cmpkit/issuer';
import { int, type PostgresPool } from './postgres.js';

interface Row {
  id: string;
  kind: PendingKind;
  status: PendingStatus;
  transaction_id: string;
  profile: string;
  subject: string;
  requester: string;
  request: string;
  polls: number;
  created_at: string;
  ready_at: string | null;
  decided_at: string | null;
  reason: string | null;
  fail_info: string | null;
  serial: string | null;
}

function fromRow(row: Row): PendingRequest {
  return {
    id: int(row.id),
    kind: row.kind,
    status: row.status,
    transactionId: row.transaction_id,
    profile: row.profile,
    subject: row.subject,
    requester: row.requester,
    request: row.request,
    polls: row.polls,
    createdAt: new Date(int(row.created_at)),
    ...(row.ready_at === null ? {} : { readyAt: new Date(int(row.ready_at)) }),
    ...(row.decided_at === null ? {} : { decidedAt: new Date(int(row.decided_at)) }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.fail_info === null ? {} : { failInfo: row.fail_info }),
    ...(row.serial === null ? {} : { serial: row.serial }),
  };
}

/** The {@link PendingRequestRepository} on PostgreSQL: any instance answers the polls of a request another one accepted. */
export function postgresPendingRequestRepository(pool: PostgresPool): PendingRequestRepository {
  const changed = (result: { rowCount: number | null }) => (result.rowCount ?? 0) > 0;
  return {
    async create(r) {
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO pending_requests (kind, status, transaction_id, profile, subject, requester, request, created_at, ready_at)
         VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [r.kind, r.transactionId, r.profile, r.subject, r.requester, r.request, r.createdAt.getTime(), r.readyAt?.getTime() ?? null],
      );
      return int(rows[0]!.id);
    },
    async get(id) {
      const { rows } = await pool.query<Row>('SELECT * FROM pending_requests WHERE id = $1', [id]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async countPoll(id) {
      const { rows } = await pool.query<{ polls: number }>('UPDATE pending_requests SET polls = polls + 1 WHERE id = $1 RETURNING polls', [
        id,
      ]);
      return rows[0]?.polls ?? 0;
    },
    async approve(id, at) {
      return changed(
        await pool.query("UPDATE pending_requests SET status = 'approved', decided_at = $1 WHERE id = $2 AND status = 'pending'", [
          at.getTime(),
          id,
        ]),
      );
    },
    async reject(id, at, failInfo, reason) {
      return changed(
        await pool.query(
          "UPDATE pending_requests SET status = 'rejected', decided_at = $1, fail_info = $2, reason = $3 WHERE id = $4 AND status = 'pending'",
          [at.getTime(), failInfo, reason ?? null, id],
        ),
      );
    },
    async markIssued(id, serial) {
      return changed(
        await pool.query("UPDATE pending_requests SET status = 'issued', serial = $1 WHERE id = $2 AND status <> 'issued'", [serial, id]),
      );
    },
    async list(options = {}) {
      const { rows } = options.status
        ? await pool.query<Row>('SELECT * FROM pending_requests WHERE status = $1 ORDER BY id', [options.status])
        : await pool.query<Row>('SELECT * FROM pending_requests ORDER BY id');
      return rows.map(fromRow);
    },
  };
}
