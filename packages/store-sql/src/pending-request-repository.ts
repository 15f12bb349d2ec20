import type { PendingKind, PendingRequest, PendingRequestRepository, PendingStatus } from '@cmpkit/issuer';
import { dateOf, numberOf, optional } from './columns.js';
import type { SqlConnection } from './sql-connection.js';

interface Row {
  id: unknown;
  kind: PendingKind;
  status: PendingStatus;
  transaction_id: string;
  profile: string;
  subject: string;
  requester: string;
  request: string;
  polls: unknown;
  created_at: unknown;
  ready_at: unknown;
  decided_at: unknown;
  reason: string | null;
  fail_info: string | null;
  serial: string | null;
}

function fromRow(row: Row): PendingRequest {
  return {
    id: numberOf(row.id),
    kind: row.kind,
    status: row.status,
    transactionId: row.transaction_id,
    profile: row.profile,
    subject: row.subject,
    requester: row.requester,
    request: row.request,
    polls: numberOf(row.polls),
    createdAt: dateOf(row.created_at),
    ...optional('readyAt', row.ready_at, dateOf),
    ...optional('decidedAt', row.decided_at, dateOf),
    ...optional('reason', row.reason, String),
    ...optional('failInfo', row.fail_info, String),
    ...optional('serial', row.serial, String),
  };
}

const INSERT = `INSERT INTO pending_requests (kind, status, transaction_id, profile, subject, requester, request, created_at, ready_at)
  VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?) RETURNING id`;
const SELECT = 'SELECT * FROM pending_requests WHERE id = ?';
const COUNT_POLL = 'UPDATE pending_requests SET polls = polls + 1 WHERE id = ? RETURNING polls';
const APPROVE = "UPDATE pending_requests SET status = 'approved', decided_at = ? WHERE id = ? AND status = 'pending'";
const REJECT =
  "UPDATE pending_requests SET status = 'rejected', decided_at = ?, fail_info = ?, reason = ? WHERE id = ? AND status = 'pending'";
const MARK_ISSUED = "UPDATE pending_requests SET status = 'issued', serial = ? WHERE id = ? AND status <> 'issued'";
const LIST = 'SELECT * FROM pending_requests ORDER BY id';
const LIST_STATUS = 'SELECT * FROM pending_requests WHERE status = ? ORDER BY id';

/**
 * The {@link PendingRequestRepository} in SQL: requests waiting for an operator or their delay,
 * which any server instance (and the `pending` command) sees; a request is marked issued once.
 */
export function sqlPendingRequestRepository(db: SqlConnection): PendingRequestRepository {
  return {
    async create(r) {
      const [row] = await db.all<{ id: unknown }>(INSERT, [
        r.kind,
        r.transactionId,
        r.profile,
        r.subject,
        r.requester,
        r.request,
        r.createdAt.getTime(),
        r.readyAt?.getTime() ?? null,
      ]);
      return numberOf(row!.id);
    },
    async get(id) {
      const [row] = await db.all<Row>(SELECT, [id]);
      return row ? fromRow(row) : undefined;
    },
    async countPoll(id) {
      const [row] = await db.all<{ polls: unknown }>(COUNT_POLL, [id]);
      return row ? numberOf(row.polls) : 0;
    },
    async approve(id, at) {
      return (await db.run(APPROVE, [at.getTime(), id])) > 0;
    },
    async reject(id, at, failInfo, reason) {
      return (await db.run(REJECT, [at.getTime(), failInfo, reason ?? null, id])) > 0;
    },
    async markIssued(id, serial) {
      return (await db.run(MARK_ISSUED, [serial, id])) > 0;
    },
    async list(options = {}) {
      const rows = options.status ? await db.all<Row>(LIST_STATUS, [options.status]) : await db.all<Row>(LIST);
      return rows.map(fromRow);
    },
  };
}
