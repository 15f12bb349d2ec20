import type { PendingKind, PendingRequest, PendingRequestRepository, PendingStatus } from '@cmpkit/issuer';
import type { SqliteDatabase } from './sqlite.js';

interface Row {
  id: number;
  kind: PendingKind;
  status: PendingStatus;
  transaction_id: string;
  profile: string;
  subject: string;
  requester: string;
  request: string;
  polls: number;
  created_at: number;
  ready_at: number | null;
  decided_at: number | null;
  reason: string | null;
  fail_info: string | null;
  serial: string | null;
}

function fromRow(row: Row): PendingRequest {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    transactionId: row.transaction_id,
    profile: row.profile,
    subject: row.subject,
    requester: row.requester,
    request: row.request,
    polls: row.polls,
    createdAt: new Date(row.created_at),
    ...(row.ready_at === null ? {} : { readyAt: new Date(row.ready_at) }),
    ...(row.decided_at === null ? {} : { decidedAt: new Date(row.decided_at) }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.fail_info === null ? {} : { failInfo: row.fail_info }),
    ...(row.serial === null ? {} : { serial: row.serial }),
  };
}

export function sqlitePendingRequestRepository(db: SqliteDatabase): PendingRequestRepository {
  const insert = db.prepare(
    `INSERT INTO pending_requests (kind, status, transaction_id, profile, subject, requester, request, created_at, ready_at)
     VALUES (@kind, 'pending', @transactionId, @profile, @subject, @requester, @request, @createdAt, @readyAt)`,
  );
  const select = db.prepare<[number], Row>('SELECT * FROM pending_requests WHERE id = ?');
  const poll = db.prepare<[number], { polls: number }>('UPDATE pending_requests SET polls = polls + 1 WHERE id = ? RETURNING polls');
  const approve = db.prepare("UPDATE pending_requests SET status = 'approved', decided_at = ? WHERE id = ? AND status = 'pending'");
  const reject = db.prepare(
    "UPDATE pending_requests SET status = 'rejected', decided_at = ?, fail_info = ?, reason = ? WHERE id = ? AND status = 'pending'",
  );
  const issued = db.prepare("UPDATE pending_requests SET status = 'issued', serial = ? WHERE id = ? AND status <> 'issued'");
  const listAll = db.prepare<[], Row>('SELECT * FROM pending_requests ORDER BY id');
  const listStatus = db.prepare<[string], Row>('SELECT * FROM pending_requests WHERE status = ? ORDER BY id');

  return {
    async create(r) {
      const result = insert.run({
        kind: r.kind,
        transactionId: r.transactionId,
        profile: r.profile,
        subject: r.subject,
        requester: r.requester,
        request: r.request,
        createdAt: r.createdAt.getTime(),
        readyAt: r.readyAt?.getTime() ?? null,
      });
      return Number(result.lastInsertRowid);
    },
    async get(id) {
      const row = select.get(id);
      return row ? fromRow(row) : undefined;
    },
    async countPoll(id) {
      return poll.get(id)?.polls ?? 0;
    },
    async approve(id, at) {
      return approve.run(at.getTime(), id).changes > 0;
    },
    async reject(id, at, failInfo, reason) {
      return reject.run(at.getTime(), failInfo, reason ?? null, id).changes > 0;
    },
    async markIssued(id, serial) {
      return issued.run(serial, id).changes > 0;
    },
    async list(options = {}) {
      return (options.status ? listStatus.all(options.status) : listAll.all()).map(fromRow);
    },
  };
}
