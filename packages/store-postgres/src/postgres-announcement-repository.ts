import type { AnnouncementChange, DeadLetter, RecipientBacklog } from '@cmpkit/core';
import type { AnnouncementRepository } from '@cmpkit/issuer';
import { bytea, bytesOfBytea, inTransaction, int, type PostgresClient, type PostgresPool } from './postgres.js';

/** The channel of `LISTEN`/`NOTIFY` on which writers announce new entries. */
export const ANNOUNCEMENT_CHANNEL = 'cmpkit_announcements';

/**
 * The advisory lock every transaction that stores entries holds until it commits: ids are taken
 * and committed in one order, so no reader (and no cursor) ever sees id n+1 before id n.
 */
const ENQUEUE_LOCK = 0x636d70616e6e; // "cmpann"

interface BacklogRow {
  recipient: string;
  id: string;
  created_at: string;
  failed_id: string;
  attempts: number;
  retry_at: string;
}

const numeric = (id: string): string | undefined => (/^\d{1,18}$/.test(id) ? id : undefined);

/** Runs `work` in a transaction that stores entries: serialised with the other writers, and announced on commit. */
function storing<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ENQUEUE_LOCK]);
    const result = await work(client);
    // Delivered to every listener when (and only if) this transaction commits.
    await client.query('SELECT pg_notify($1, $2)', [ANNOUNCEMENT_CHANNEL, '']);
    return result;
  });
}

/**
 * Cursor moves of many recipients in one statement: while one statement runs, the moves asked
 * for meanwhile wait and go together in the next. A broadcast to every connection of a server
 * makes as many moves as there are connections, and one round trip each would be the cost.
 */
function deliveredBatcher(pool: PostgresPool): (recipient: string, id: string) => Promise<void> {
  let waiting = new Map<string, string>();
  let callbacks: Array<{ resolve(): void; reject(error: unknown): void }> = [];
  let running = false;
  const run = (): void => {
    if (running || waiting.size === 0) return;
    running = true;
    const moves = waiting;
    const settle = callbacks;
    waiting = new Map();
    callbacks = [];
    pool
      .query(
        `UPDATE announcement_recipients r SET delivered_through = m.id, failed_id = 0, attempts = 0, retry_at = 0
           FROM unnest($1::text[], $2::bigint[]) AS m(recipient, id)
          WHERE r.recipient = m.recipient AND r.delivered_through < m.id`,
        [[...moves.keys()], [...moves.values()]],
      )
      .then(
        () => settle.forEach((c) => c.resolve()),
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
      if (before === undefined || BigInt(before) < BigInt(id)) waiting.set(recipient, id);
      callbacks.push({ resolve, reject });
      run();
    });
}

/**
 * The {@link AnnouncementRepository} on PostgreSQL: what any instance (or the CLI) stores, the
 * instances where its recipients are connected deliver. An entry is one row (a broadcast has no
 * recipient); each recipient's row holds its cursor (`delivered_through`) and the failures of its
 * first entry. Writers of entries take an advisory lock and `NOTIFY` on
 * {@link ANNOUNCEMENT_CHANNEL} in the same transaction.
 */
export function postgresAnnouncementRepository(pool: PostgresPool, clock: () => Date): AnnouncementRepository {
  const addRecipient = `INSERT INTO announcement_recipients (recipient, added_at, delivered_through)
    VALUES ($1, $2, (SELECT COALESCE(MAX(id), 0) FROM announcements)) ON CONFLICT (recipient) DO NOTHING`;
  const markDelivered = deliveredBatcher(pool);
  return {
    async enqueue(recipient, message, createdAt) {
      return storing(pool, async (client) => {
        await client.query(addRecipient, [recipient, createdAt]);
        const { rows } = await client.query<{ id: string }>(
          'INSERT INTO announcements (recipient, message, created_at) VALUES ($1, $2, $3) RETURNING id',
          [recipient, bytea(message), createdAt],
        );
        return rows[0]!.id;
      });
    },
    async enqueueBroadcast(message, createdAt) {
      return storing(pool, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          'INSERT INTO announcements (recipient, message, created_at) VALUES (NULL, $1, $2) RETURNING id',
          [bytea(message), createdAt],
        );
        const count = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM announcement_recipients');
        return { id: rows[0]!.id, recipients: int(count.rows[0]!.n) };
      });
    },
    async backlog(recipients) {
      const result = new Map<string, RecipientBacklog>();
      if (!recipients.length) return result;
      const { rows } = await pool.query<BacklogRow>(
        `WITH wanted AS (SELECT DISTINCT unnest($1::text[]) AS recipient)
         SELECT r.recipient, a.id, a.created_at, r.failed_id, r.attempts, r.retry_at
           FROM wanted w JOIN announcement_recipients r ON r.recipient = w.recipient
           JOIN announcements a ON a.recipient = r.recipient AND a.id > r.delivered_through
         UNION ALL
         SELECT r.recipient, a.id, a.created_at, r.failed_id, r.attempts, r.retry_at
           FROM wanted w JOIN announcement_recipients r ON r.recipient = w.recipient
           JOIN announcements a ON a.recipient IS NULL AND a.id > r.delivered_through
         ORDER BY 1, 2`,
        [[...recipients]],
      );
      for (const row of rows) {
        let entry = result.get(row.recipient);
        if (!entry) {
          const failing = row.failed_id === row.id;
          entry = { entries: [], attempts: failing ? row.attempts : 0, retryAt: failing ? int(row.retry_at) : 0 };
          result.set(row.recipient, entry);
        }
        entry.entries.push({ id: row.id, createdAt: int(row.created_at) });
      }
      return result;
    },
    async messages(ids) {
      const wanted = ids.filter((id) => numeric(id) !== undefined);
      if (!wanted.length) return new Map();
      const { rows } = await pool.query<{ id: string; message: Uint8Array }>(
        'SELECT id, message FROM announcements WHERE id = ANY($1::bigint[])',
        [wanted],
      );
      return new Map(rows.map((row) => [row.id, bytesOfBytea(row.message)]));
    },
    async delivered(recipient, id) {
      if (numeric(id) !== undefined) await markDelivered(recipient, id);
    },
    async failed(recipient, id, failure) {
      const n = numeric(id) ?? '0';
      await pool.query(addRecipient, [recipient, clock().getTime()]);
      const { rows } = await pool.query<{ attempts: number }>(
        `UPDATE announcement_recipients SET attempts = CASE WHEN failed_id = $1 THEN attempts + 1 ELSE 1 END,
           failed_id = $1, retry_at = $2, last_error = $3 WHERE recipient = $4 RETURNING attempts`,
        [n, failure.retryAt, failure.error, recipient],
      );
      return rows[0]?.attempts ?? 0;
    },
    async deadLetter(recipient, id, deadAt) {
      if (numeric(id) === undefined) return;
      await inTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO announcement_dead_letters (recipient, announcement_id, attempts, error, dead_at)
           SELECT recipient, $1::bigint, CASE WHEN failed_id = $1::bigint THEN attempts ELSE 0 END, CASE WHEN failed_id = $1::bigint THEN last_error ELSE '' END, $2::bigint
             FROM announcement_recipients WHERE recipient = $3 AND EXISTS (SELECT 1 FROM announcements WHERE id = $1)
           ON CONFLICT (recipient, announcement_id) DO UPDATE SET attempts = excluded.attempts, error = excluded.error, dead_at = excluded.dead_at`,
          [id, deadAt, recipient],
        );
        await client.query(
          `UPDATE announcement_recipients SET delivered_through = GREATEST(delivered_through, $1), failed_id = 0, attempts = 0, retry_at = 0
            WHERE recipient = $2`,
          [id, recipient],
        );
      });
    },
    async changes(after, limit) {
      const { rows } = await pool.query<{ id: string; recipient: string | null }>(
        'SELECT id, recipient FROM announcements WHERE id > $1 ORDER BY id LIMIT $2',
        [after === undefined ? '0' : (numeric(after) ?? '0'), limit],
      );
      return rows.map((row): AnnouncementChange => (row.recipient === null ? { id: row.id } : { id: row.id, recipient: row.recipient }));
    },
    async retryDue(now) {
      const { rows } = await pool.query<{ recipient: string }>(
        'SELECT recipient FROM announcement_recipients WHERE attempts > 0 AND retry_at <= $1 ORDER BY recipient',
        [now],
      );
      return rows.map((row) => row.recipient);
    },
    async addRecipient(recipient) {
      await pool.query(addRecipient, [recipient, clock().getTime()]);
    },
    async recipients() {
      const { rows } = await pool.query<{ recipient: string }>('SELECT recipient FROM announcement_recipients ORDER BY recipient');
      return rows.map((row) => row.recipient);
    },
    async deadLetters() {
      const { rows } = await pool.query<{
        recipient: string;
        announcement_id: string;
        created_at: string;
        attempts: number;
        error: string;
        dead_at: string;
      }>(
        `SELECT d.recipient, d.announcement_id, a.created_at, d.attempts, d.error, d.dead_at
           FROM announcement_dead_letters d JOIN announcements a ON a.id = d.announcement_id ORDER BY d.dead_at, d.announcement_id`,
      );
      return rows.map((row): DeadLetter => ({
        recipient: row.recipient,
        id: row.announcement_id,
        createdAt: int(row.created_at),
        attempts: row.attempts,
        error: row.error,
        deadAt: int(row.dead_at),
      }));
    },
    async requeue(recipient, id, createdAt) {
      if (numeric(id) === undefined) return undefined;
      return storing(pool, async (client) => {
        const removed = await client.query('DELETE FROM announcement_dead_letters WHERE recipient = $1 AND announcement_id = $2', [
          recipient,
          id,
        ]);
        if (!removed.rowCount) return undefined;
        const { rows } = await client.query<{ id: string }>(
          'INSERT INTO announcements (recipient, message, created_at) SELECT $1, message, $2 FROM announcements WHERE id = $3 RETURNING id',
          [recipient, createdAt, id],
        );
        return rows[0]?.id;
      });
    },
    async discard(recipient, id) {
      if (numeric(id) === undefined) return false;
      const { rowCount } = await pool.query('DELETE FROM announcement_dead_letters WHERE recipient = $1 AND announcement_id = $2', [
        recipient,
        id,
      ]);
      return (rowCount ?? 0) > 0;
    },
    async prune({ deliveredBefore, expiredBefore }) {
      return inTransaction(pool, async (client) => {
        await client.query(
          'DELETE FROM announcement_dead_letters WHERE announcement_id IN (SELECT id FROM announcements WHERE created_at < $1)',
          [expiredBefore],
        );
        const { rowCount } = await client.query(
          `DELETE FROM announcements a
            WHERE NOT EXISTS (SELECT 1 FROM announcement_dead_letters d WHERE d.announcement_id = a.id)
              AND (a.created_at < $2 OR (a.created_at < $1 AND (
                    (a.recipient IS NOT NULL AND a.id <= COALESCE((SELECT delivered_through FROM announcement_recipients r WHERE r.recipient = a.recipient), 0))
                 OR (a.recipient IS NULL AND a.id <= COALESCE((SELECT MIN(delivered_through) FROM announcement_recipients), a.id)))))`,
          [deliveredBefore, expiredBefore],
        );
        return rowCount ?? 0;
      });
    },
    async claimCrl(crlNumber) {
      const { rowCount } = await pool.query(
        `INSERT INTO counters (name, value) VALUES ('announced_crl_number', $1)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE counters.value < excluded.value`,
        [crlNumber.toString()],
      );
      return (rowCount ?? 0) > 0;
    },
    async pendingCount() {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT (SELECT COUNT(*) FROM announcements a JOIN announcement_recipients r ON a.recipient = r.recipient AND a.id > r.delivered_through)
              + (SELECT COUNT(*) FROM announcements a JOIN announcement_recipients r ON a.recipient IS NULL AND a.id > r.delivered_through) AS n`,
      );
      return int(rows[0]!.n);
    },
  };
}
