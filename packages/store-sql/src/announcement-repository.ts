import type { AnnouncementChange, DeadLetter, RecipientBacklog } from '@cmpkit/core';
import type { AnnouncementRepository } from '@cmpkit/issuer';
import { bytesOf, numberOf } from './columns.js';
import type { SqlConnection, SqlStatement } from './sql-connection.js';

/**
 * What a store adds around the writes that store entries (`enqueue`, `enqueueBroadcast`,
 * `requeue`), so that the instances delivering them learn of them.
 */
export interface AnnouncementWriteHooks {
  /** Run first in each such transaction (PostgreSQL: an advisory lock, so ids commit in order). */
  readonly before?: readonly SqlStatement[];
  /** Run last in each such transaction (PostgreSQL: `NOTIFY`, delivered on commit). */
  readonly after?: readonly SqlStatement[];
  /** Called once such a write resolved; it must signal others only once the write is durable (SQLite: a signal file touched after the batch commits). */
  readonly onStored?: () => void;
  /**
   * Called once a batch of cursor moves (`delivered`) was written. SQLite commits its write batch
   * there: otherwise the batch, and the database's one write lock, stays open while this process
   * goes on sending to its connections, and the other processes of a cluster wait to deliver.
   */
  readonly onCursorsMoved?: () => void;
}

interface BacklogRow {
  recipient: string;
  id: unknown;
  created_at: unknown;
  failed_id: unknown;
  attempts: unknown;
  retry_at: unknown;
}

interface DeadLetterRow {
  recipient: string;
  announcement_id: unknown;
  created_at: unknown;
  attempts: unknown;
  error: string;
  dead_at: unknown;
}

const ADD_RECIPIENT = `INSERT INTO announcement_recipients (recipient, added_at, delivered_through)
  VALUES (?, ?, (SELECT COALESCE(MAX(id), 0) FROM announcements)) ON CONFLICT (recipient) DO NOTHING`;
const INSERT = 'INSERT INTO announcements (recipient, message, created_at) VALUES (?, ?, ?) RETURNING id';
const COUNT_RECIPIENTS = 'SELECT COUNT(*) AS n FROM announcement_recipients';
const FAILED = `UPDATE announcement_recipients SET attempts = CASE WHEN failed_id = ? THEN attempts + 1 ELSE 1 END,
  failed_id = ?, retry_at = ?, last_error = ? WHERE recipient = ? RETURNING attempts`;
const KEEP_DEAD_LETTER = `INSERT INTO announcement_dead_letters (recipient, announcement_id, attempts, error, dead_at)
  SELECT recipient, CAST(? AS BIGINT), CASE WHEN failed_id = CAST(? AS BIGINT) THEN attempts ELSE 0 END,
    CASE WHEN failed_id = CAST(? AS BIGINT) THEN last_error ELSE '' END, CAST(? AS BIGINT)
    FROM announcement_recipients WHERE recipient = ? AND EXISTS (SELECT 1 FROM announcements WHERE id = ?)
  ON CONFLICT (recipient, announcement_id) DO UPDATE SET attempts = excluded.attempts, error = excluded.error, dead_at = excluded.dead_at`;
const PASS_DEAD_LETTER = `UPDATE announcement_recipients
  SET delivered_through = CASE WHEN delivered_through < CAST(? AS BIGINT) THEN CAST(? AS BIGINT) ELSE delivered_through END,
    failed_id = 0, attempts = 0, retry_at = 0 WHERE recipient = ?`;
const CHANGES = 'SELECT id, recipient FROM announcements WHERE id > ? ORDER BY id LIMIT ?';
// No ORDER BY: ordered by recipient, SQLite walks the primary key through every recipient (each
// safety-net tick, ~0.5 ms at 10,000) instead of the partial index of those waiting to retry.
const RETRY_DUE = 'SELECT recipient FROM announcement_recipients WHERE attempts > 0 AND retry_at <= ?';
const RECIPIENTS = 'SELECT recipient FROM announcement_recipients ORDER BY recipient';
const DEAD_LETTERS = `SELECT d.recipient, d.announcement_id, a.created_at, d.attempts, d.error, d.dead_at
  FROM announcement_dead_letters d JOIN announcements a ON a.id = d.announcement_id ORDER BY d.dead_at, d.announcement_id`;
const REQUEUE = `INSERT INTO announcements (recipient, message, created_at)
  SELECT CAST(? AS TEXT), message, CAST(? AS BIGINT) FROM announcements
   WHERE id = ? AND EXISTS (SELECT 1 FROM announcement_dead_letters WHERE recipient = ? AND announcement_id = ?)
  RETURNING id`;
const DISCARD = 'DELETE FROM announcement_dead_letters WHERE recipient = ? AND announcement_id = ?';
const PRUNE_DEAD_LETTERS =
  'DELETE FROM announcement_dead_letters WHERE announcement_id IN (SELECT id FROM announcements WHERE created_at < ?)';
const PRUNE = `DELETE FROM announcements
  WHERE id NOT IN (SELECT announcement_id FROM announcement_dead_letters)
    AND (created_at < ? OR (created_at < ? AND (
          (recipient IS NOT NULL AND id <= COALESCE((SELECT delivered_through FROM announcement_recipients r WHERE r.recipient = announcements.recipient), 0))
       OR (recipient IS NULL AND id <= COALESCE((SELECT MIN(delivered_through) FROM announcement_recipients), id)))))`;
const PENDING_COUNT = `SELECT
    (SELECT COUNT(*) FROM announcements a JOIN announcement_recipients r ON a.recipient = r.recipient AND a.id > r.delivered_through)
  + (SELECT COUNT(*) FROM announcements a JOIN announcement_recipients r ON a.recipient IS NULL AND a.id > r.delivered_through) AS n`;
const CLAIM_CRL = `INSERT INTO counters (name, value) VALUES ('announced_crl_number', ?)
  ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE counters.value < excluded.value`;

/** Ids as the store hands them out: decimal text of the row id, at most 18 digits (within a 64-bit INTEGER/BIGINT). */
const numeric = (id: string): bigint | undefined => (/^\d{1,18}$/.test(id) ? BigInt(id) : undefined);

/**
 * Cursor moves of many recipients in one statement: while one statement runs, the moves asked
 * for meanwhile wait and go together in the next. A broadcast to every connection of a server
 * makes as many moves as there are connections, and one round trip each would be the cost.
 */
function deliveredBatcher(db: SqlConnection, onWritten: () => void = () => {}): (recipient: string, id: bigint) => Promise<void> {
  // One statement per distinct id (a broadcast: one for all its recipients), each an indexed
  // lookup per recipient. Pairing two JSON lists by position instead was quadratic on SQLite (its
  // json_each has no index: 17 us per row at 500 rows, a broadcast's batches run to thousands).
  const moveTo = `UPDATE announcement_recipients SET delivered_through = CAST(? AS BIGINT), failed_id = 0, attempts = 0, retry_at = 0
    WHERE recipient IN (SELECT value FROM (${db.jsonList}) l) AND delivered_through < CAST(? AS BIGINT)`;
  let waiting = new Map<string, bigint>();
  let callbacks: Array<{ resolve(): void; reject(error: unknown): void }> = [];
  let running = false;
  const run = (): void => {
    if (running || waiting.size === 0) return;
    running = true;
    const byId = new Map<bigint, string[]>();
    for (const [recipient, id] of waiting) {
      const recipients = byId.get(id);
      if (recipients) recipients.push(recipient);
      else byId.set(id, [recipient]);
    }
    const settle = callbacks;
    waiting = new Map();
    callbacks = [];
    db.atomic([...byId].map(([id, recipients]) => ({ sql: moveTo, params: [String(id), JSON.stringify(recipients), String(id)] })))
      .then(
        () => {
          onWritten();
          settle.forEach((c) => c.resolve());
        },
        (error: unknown) => settle.forEach((c) => c.reject(error)),
      )
      .finally(() => {
        running = false;
        run();
      });
  };
  return (recipient, id) =>
    new Promise<void>((resolve, reject) => {
      const before = waiting.get(recipient);
      if (before === undefined || before < id) waiting.set(recipient, id);
      callbacks.push({ resolve, reject });
      run();
    });
}

/**
 * The {@link AnnouncementRepository} in SQL: what any instance (or an admin command) stores, the
 * instances where its recipients are connected deliver. An entry is one row (a broadcast has no
 * recipient); each recipient's row in `announcement_recipients` holds its cursor
 * (`delivered_through`) and the failures of its first entry, so a broadcast to every device costs
 * one message and one integer per device. The writes that store entries run with the store's
 * {@link AnnouncementWriteHooks}, so ids become visible in order and other processes wake up.
 */
export function sqlAnnouncementRepository(
  db: SqlConnection,
  clock: () => Date,
  hooks: AnnouncementWriteHooks = {},
): AnnouncementRepository {
  // CROSS JOIN fixes SQLite's join order (PostgreSQL plans it freely): from the few wanted
  // recipients to their cursors. With JOIN, SQLite read the broadcast branch in recipient order to
  // spare the sort, scanning every recipient per call: 27 ms at 76,000 recipients, per connection.
  const backlog = `WITH wanted(recipient) AS (SELECT DISTINCT value FROM (${db.jsonList}) l)
    SELECT r.recipient, a.id, a.created_at, r.failed_id, r.attempts, r.retry_at
      FROM wanted w CROSS JOIN announcement_recipients r CROSS JOIN announcements a
     WHERE r.recipient = w.recipient AND a.recipient = r.recipient AND a.id > r.delivered_through
    UNION ALL
    SELECT r.recipient, a.id, a.created_at, r.failed_id, r.attempts, r.retry_at
      FROM wanted w CROSS JOIN announcement_recipients r CROSS JOIN announcements a
     WHERE r.recipient = w.recipient AND a.recipient IS NULL AND a.id > r.delivered_through
    ORDER BY 1, 2`;
  const messages = `SELECT id, message FROM announcements WHERE id IN (SELECT CAST(value AS BIGINT) FROM (${db.jsonList}) l)`;
  const markDelivered = deliveredBatcher(db, hooks.onCursorsMoved);

  /** The statements in one transaction between the store's hooks; resolves to their rows. */
  async function storing(statements: readonly SqlStatement[]): Promise<unknown[][]> {
    const before = hooks.before ?? [];
    const rows = await db.atomic([...before, ...statements, ...(hooks.after ?? [])]);
    hooks.onStored?.();
    return rows.slice(before.length, before.length + statements.length);
  }

  return {
    async enqueue(recipient, message, createdAt) {
      const [, inserted] = await storing([
        { sql: ADD_RECIPIENT, params: [recipient, createdAt] },
        { sql: INSERT, params: [recipient, message, createdAt] },
      ]);
      return String((inserted as { id: unknown }[])[0]!.id);
    },
    async enqueueBroadcast(message, createdAt) {
      const [inserted, count] = await storing([{ sql: INSERT, params: [null, message, createdAt] }, { sql: COUNT_RECIPIENTS }]);
      return { id: String((inserted as { id: unknown }[])[0]!.id), recipients: numberOf((count as { n: unknown }[])[0]!.n) };
    },
    async backlog(wanted) {
      const result = new Map<string, RecipientBacklog>();
      if (!wanted.length) return result;
      for (const row of await db.all<BacklogRow>(backlog, [JSON.stringify([...wanted])])) {
        let entry = result.get(row.recipient);
        if (!entry) {
          const failing = String(row.failed_id) === String(row.id);
          entry = { entries: [], attempts: failing ? numberOf(row.attempts) : 0, retryAt: failing ? numberOf(row.retry_at) : 0 };
          result.set(row.recipient, entry);
        }
        entry.entries.push({ id: String(row.id), createdAt: numberOf(row.created_at) });
      }
      return result;
    },
    async messages(ids) {
      const wanted = ids.filter((id) => numeric(id) !== undefined);
      if (!wanted.length) return new Map();
      const rows = await db.all<{ id: unknown; message: unknown }>(messages, [JSON.stringify(wanted)]);
      return new Map(rows.map((row) => [String(row.id), bytesOf(row.message)]));
    },
    async delivered(recipient, id) {
      const n = numeric(id);
      if (n !== undefined) await markDelivered(recipient, n);
    },
    async failed(recipient, id, failure) {
      const n = numeric(id) ?? 0n;
      const [, updated] = await db.atomic([
        { sql: ADD_RECIPIENT, params: [recipient, clock().getTime()] },
        { sql: FAILED, params: [n, n, failure.retryAt, failure.error, recipient] },
      ]);
      const [row] = updated as { attempts: unknown }[];
      return row ? numberOf(row.attempts) : 0;
    },
    async deadLetter(recipient, id, deadAt) {
      const n = numeric(id);
      if (n === undefined) return;
      await db.atomic([
        { sql: KEEP_DEAD_LETTER, params: [n, n, n, deadAt, recipient, n] },
        { sql: PASS_DEAD_LETTER, params: [n, n, recipient] },
      ]);
    },
    async changes(after, limit) {
      const from = after === undefined ? 0n : (numeric(after) ?? 0n);
      const rows = await db.all<{ id: unknown; recipient: string | null }>(CHANGES, [from, limit]);
      return rows.map((row): AnnouncementChange =>
        row.recipient === null ? { id: String(row.id) } : { id: String(row.id), recipient: row.recipient },
      );
    },
    async retryDue(now) {
      return (await db.all<{ recipient: string }>(RETRY_DUE, [now])).map((row) => row.recipient).sort();
    },
    async addRecipient(recipient) {
      await db.run(ADD_RECIPIENT, [recipient, clock().getTime()]);
    },
    async recipients() {
      return (await db.all<{ recipient: string }>(RECIPIENTS)).map((row) => row.recipient);
    },
    async deadLetters() {
      return (await db.all<DeadLetterRow>(DEAD_LETTERS)).map((row): DeadLetter => ({
        recipient: row.recipient,
        id: String(row.announcement_id),
        createdAt: numberOf(row.created_at),
        attempts: numberOf(row.attempts),
        error: row.error,
        deadAt: numberOf(row.dead_at),
      }));
    },
    async requeue(recipient, id, createdAt) {
      const n = numeric(id);
      if (n === undefined) return undefined;
      const [inserted] = await storing([
        { sql: REQUEUE, params: [recipient, createdAt, n, recipient, n] },
        { sql: DISCARD, params: [recipient, n] },
      ]);
      const [row] = inserted as { id: unknown }[];
      return row ? String(row.id) : undefined;
    },
    async discard(recipient, id) {
      const n = numeric(id);
      return n !== undefined && (await db.run(DISCARD, [recipient, n])) > 0;
    },
    async prune({ deliveredBefore, expiredBefore }) {
      const [, pruned] = await db.atomic([
        { sql: PRUNE_DEAD_LETTERS, params: [expiredBefore] },
        { sql: `${PRUNE} RETURNING id`, params: [expiredBefore, deliveredBefore] },
      ]);
      return pruned!.length;
    },
    async claimCrl(crlNumber) {
      return (await db.run(CLAIM_CRL, [crlNumber])) > 0;
    },
    async pendingCount() {
      const [row] = await db.all<{ n: unknown }>(PENDING_COUNT);
      return numberOf(row!.n);
    },
  };
}
