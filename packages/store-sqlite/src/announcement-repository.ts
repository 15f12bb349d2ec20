import type { AnnouncementChange, DeadLetter, RecipientBacklog } from '@cmpkit/core';
import type { AnnouncementRepository } from '@cmpkit/issuer';
import { bytesOf, type SqliteDatabase } from './sqlite.js';

interface BacklogRow {
  recipient: string;
  id: number;
  created_at: number;
  failed_id: number;
  attempts: number;
  retry_at: number;
}

interface DeadLetterRow {
  recipient: string;
  announcement_id: number;
  created_at: number;
  attempts: number;
  error: string;
  dead_at: number;
}

/** Ids as the store hands them out: decimal text of the row id. */
const numeric = (id: string): number | undefined => (/^\d{1,15}$/.test(id) ? Number(id) : undefined);

/**
 * The {@link AnnouncementRepository} on SQLite. An entry is one row (a broadcast has no
 * recipient); each recipient's row in `announcement_recipients` holds its cursor
 * (`delivered_through`) and the failures of its first entry, so a broadcast to every device costs
 * one message and one integer per device. Ids come from AUTOINCREMENT, so they never repeat even
 * after the newest rows were pruned, and SQLite's single writer makes them visible in order.
 *
 * `onStored` is called after a write that stored entries (a wake-up signal for other processes);
 * it must call back only once the write committed.
 */
export function sqliteAnnouncementRepository(
  db: SqliteDatabase,
  clock: () => Date,
  onStored: () => void = () => {},
): AnnouncementRepository {
  const addRecipient = db.prepare(
    'INSERT OR IGNORE INTO announcement_recipients (recipient, added_at, delivered_through) VALUES (?, ?, (SELECT COALESCE(MAX(id), 0) FROM announcements))',
  );
  const insert = db.prepare('INSERT INTO announcements (recipient, message, created_at) VALUES (?, ?, ?)');
  const countRecipients = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM announcement_recipients');
  const backlog = db.prepare<[string], BacklogRow>(`
    WITH wanted(recipient) AS (SELECT value FROM json_each(?))
    SELECT r.recipient, a.id, a.created_at, r.failed_id, r.attempts, r.retry_at
      FROM wanted w JOIN announcement_recipients r ON r.recipient = w.recipient
      JOIN announcements a ON a.recipient = r.recipient AND a.id > r.delivered_through
    UNION ALL
    SELECT r.recipient, a.id, a.created_at, r.failed_id, r.attempts, r.retry_at
      FROM wanted w JOIN announcement_recipients r ON r.recipient = w.recipient
      JOIN announcements a ON a.recipient IS NULL AND a.id > r.delivered_through
    ORDER BY 1, 2`);
  const message = db.prepare<[number], { message: Uint8Array }>('SELECT message FROM announcements WHERE id = ?');
  const delivered = db.prepare(
    'UPDATE announcement_recipients SET delivered_through = ?, failed_id = 0, attempts = 0, retry_at = 0 WHERE recipient = ? AND delivered_through < ?',
  );
  const failed = db.prepare<[number, number, number, string, string], { attempts: number }>(
    `UPDATE announcement_recipients SET attempts = CASE WHEN failed_id = ? THEN attempts + 1 ELSE 1 END,
       failed_id = ?, retry_at = ?, last_error = ? WHERE recipient = ? RETURNING attempts`,
  );
  const keepDeadLetter = db.prepare(
    `INSERT OR REPLACE INTO announcement_dead_letters (recipient, announcement_id, attempts, error, dead_at)
     SELECT recipient, :id, CASE WHEN failed_id = :id THEN attempts ELSE 0 END, CASE WHEN failed_id = :id THEN last_error ELSE '' END, :deadAt
       FROM announcement_recipients WHERE recipient = :recipient AND EXISTS (SELECT 1 FROM announcements WHERE id = :id)`,
  );
  const passDeadLetter = db.prepare(
    'UPDATE announcement_recipients SET delivered_through = MAX(delivered_through, ?), failed_id = 0, attempts = 0, retry_at = 0 WHERE recipient = ?',
  );
  const changes = db.prepare<[number, number], { id: number; recipient: string | null }>(
    'SELECT id, recipient FROM announcements WHERE id > ? ORDER BY id LIMIT ?',
  );
  const retryDue = db.prepare<[number], { recipient: string }>(
    'SELECT recipient FROM announcement_recipients WHERE attempts > 0 AND retry_at <= ? ORDER BY recipient',
  );
  const recipients = db.prepare<[], { recipient: string }>('SELECT recipient FROM announcement_recipients ORDER BY recipient');
  const deadLetters = db.prepare<[], DeadLetterRow>(
    `SELECT d.recipient, d.announcement_id, a.created_at, d.attempts, d.error, d.dead_at
       FROM announcement_dead_letters d JOIN announcements a ON a.id = d.announcement_id ORDER BY d.dead_at, d.announcement_id`,
  );
  const deadLetterExists = db.prepare<[string, number], { one: number }>(
    'SELECT 1 AS one FROM announcement_dead_letters WHERE recipient = ? AND announcement_id = ?',
  );
  const copy = db.prepare(
    'INSERT INTO announcements (recipient, message, created_at) SELECT ?, message, ? FROM announcements WHERE id = ?',
  );
  const discard = db.prepare('DELETE FROM announcement_dead_letters WHERE recipient = ? AND announcement_id = ?');
  const pruneDeadLetters = db.prepare(
    'DELETE FROM announcement_dead_letters WHERE announcement_id IN (SELECT id FROM announcements WHERE created_at < ?)',
  );
  const prune = db.prepare(`
    DELETE FROM announcements
     WHERE id NOT IN (SELECT announcement_id FROM announcement_dead_letters)
       AND (created_at < :expired OR (created_at < :delivered AND (
             (recipient IS NOT NULL AND id <= COALESCE((SELECT delivered_through FROM announcement_recipients r WHERE r.recipient = announcements.recipient), 0))
          OR (recipient IS NULL AND id <= COALESCE((SELECT MIN(delivered_through) FROM announcement_recipients), id)))))`);
  const pendingCount = db.prepare<[], { n: number }>(`
    SELECT (SELECT COUNT(*) FROM announcements a JOIN announcement_recipients r ON a.recipient = r.recipient AND a.id > r.delivered_through)
         + (SELECT COUNT(*) FROM announcements a JOIN announcement_recipients r ON a.recipient IS NULL AND a.id > r.delivered_through) AS n`);
  const claimCrl = db.prepare(
    "INSERT INTO counters (name, value) VALUES ('announced_crl_number', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE value < excluded.value",
  );

  const enqueue = db.transaction((recipient: string, bytes: Uint8Array, createdAt: number): number => {
    addRecipient.run(recipient, createdAt);
    return Number(insert.run(recipient, bytes, createdAt).lastInsertRowid);
  });
  const enqueueBroadcast = db.transaction((bytes: Uint8Array, createdAt: number) => {
    const id = Number(insert.run(null, bytes, createdAt).lastInsertRowid);
    return { id: String(id), recipients: countRecipients.get()!.n };
  });
  const deadLetter = db.transaction((recipient: string, id: number, deadAt: number) => {
    keepDeadLetter.run({ id, deadAt, recipient });
    passDeadLetter.run(id, recipient);
  });
  const requeue = db.transaction((recipient: string, id: number, createdAt: number): number | undefined => {
    if (!deadLetterExists.get(recipient, id)) return undefined;
    const inserted = copy.run(recipient, createdAt, id);
    discard.run(recipient, id);
    return inserted.changes ? Number(inserted.lastInsertRowid) : undefined;
  });
  const pruneAll = db.transaction((deliveredBefore: number, expiredBefore: number): number => {
    pruneDeadLetters.run(expiredBefore);
    return prune.run({ delivered: deliveredBefore, expired: expiredBefore }).changes;
  });

  return {
    async enqueue(recipient, bytes, createdAt) {
      const id = String(enqueue(recipient, bytes, createdAt));
      onStored();
      return id;
    },
    async enqueueBroadcast(bytes, createdAt) {
      const stored = enqueueBroadcast(bytes, createdAt);
      onStored();
      return stored;
    },
    async backlog(wanted) {
      const result = new Map<string, RecipientBacklog>();
      for (const row of backlog.all(JSON.stringify([...new Set(wanted)]))) {
        let entry = result.get(row.recipient);
        if (!entry) {
          const failing = row.failed_id === row.id;
          entry = { entries: [], attempts: failing ? row.attempts : 0, retryAt: failing ? row.retry_at : 0 };
          result.set(row.recipient, entry);
        }
        entry.entries.push({ id: String(row.id), createdAt: row.created_at });
      }
      return result;
    },
    async messages(ids) {
      const found = new Map<string, Uint8Array>();
      for (const id of ids) {
        const n = numeric(id);
        const row = n === undefined ? undefined : message.get(n);
        if (row) found.set(id, bytesOf(row.message));
      }
      return found;
    },
    async delivered(recipient, id) {
      const n = numeric(id);
      if (n !== undefined) delivered.run(n, recipient, n);
    },
    async failed(recipient, id, failure) {
      const n = numeric(id) ?? 0;
      addRecipient.run(recipient, clock().getTime());
      return failed.get(n, n, failure.retryAt, failure.error, recipient)?.attempts ?? 0;
    },
    async deadLetter(recipient, id, deadAt) {
      const n = numeric(id);
      if (n !== undefined) deadLetter(recipient, n, deadAt);
    },
    async changes(after, limit) {
      const from = after === undefined ? 0 : (numeric(after) ?? 0);
      return changes
        .all(from, limit)
        .map((row): AnnouncementChange =>
          row.recipient === null ? { id: String(row.id) } : { id: String(row.id), recipient: row.recipient },
        );
    },
    async retryDue(now) {
      return retryDue.all(now).map((row) => row.recipient);
    },
    async addRecipient(recipient) {
      addRecipient.run(recipient, clock().getTime());
    },
    async recipients() {
      return recipients.all().map((row) => row.recipient);
    },
    async deadLetters() {
      return deadLetters.all().map((row): DeadLetter => ({
        recipient: row.recipient,
        id: String(row.announcement_id),
        createdAt: row.created_at,
        attempts: row.attempts,
        error: row.error,
        deadAt: row.dead_at,
      }));
    },
    async requeue(recipient, id, createdAt) {
      const n = numeric(id);
      const requeued = n === undefined ? undefined : requeue(recipient, n, createdAt);
      if (requeued === undefined) return undefined;
      onStored();
      return String(requeued);
    },
    async discard(recipient, id) {
      const n = numeric(id);
      return n !== undefined && discard.run(recipient, n).changes > 0;
    },
    async prune({ deliveredBefore, expiredBefore }) {
      return pruneAll(deliveredBefore, expiredBefore);
    },
    async claimCrl(crlNumber) {
      return claimCrl.run(crlNumber).changes > 0;
    },
    async pendingCount() {
      return pendingCount.get()?.n ?? 0;
    },
  };
}
