import type { Migration, MigrationResult } from '@cmpkit/issuer';
import type { SqliteDatabase } from './sqlite.js';

/**
 * The schema of the server's database, as a versioned list. Never edit a released step: append a
 * new one. Times are milliseconds since the epoch; serial numbers are lowercase hex without
 * leading zeros; certificates and CRLs are DER.
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'certificates, transactions, nonces, shared secrets',
    sql: `
      CREATE TABLE certificates (
        serial            TEXT PRIMARY KEY,
        issuer            TEXT NOT NULL,
        subject           TEXT NOT NULL,
        der               BLOB NOT NULL,
        not_before        INTEGER NOT NULL,
        not_after         INTEGER NOT NULL,
        profile           TEXT NOT NULL,
        requester         TEXT NOT NULL,
        transaction_id    TEXT,
        status            TEXT NOT NULL CHECK (status IN ('issued', 'confirmed', 'revoked')),
        issued_at         INTEGER NOT NULL,
        revoked_at        INTEGER,
        revocation_reason INTEGER
      );
      CREATE INDEX certificates_status ON certificates (status);

      CREATE TABLE transactions (
        transaction_id   TEXT PRIMARY KEY,
        record           TEXT NOT NULL,
        expires_at       INTEGER NOT NULL,
        confirm_deadline INTEGER
      );
      CREATE INDEX transactions_confirm_deadline ON transactions (confirm_deadline);
      CREATE INDEX transactions_expires_at ON transactions (expires_at);

      CREATE TABLE nonces (
        nonce      TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX nonces_expires_at ON nonces (expires_at);

      CREATE TABLE shared_secrets (
        reference  TEXT PRIMARY KEY,
        secret     BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'pending requests, CRLs, root CA key updates',
    sql: `
      CREATE TABLE pending_requests (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        kind           TEXT NOT NULL CHECK (kind IN ('approval', 'delay')),
        status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'issued')),
        transaction_id TEXT NOT NULL,
        profile        TEXT NOT NULL,
        subject        TEXT NOT NULL,
        requester      TEXT NOT NULL,
        request        TEXT NOT NULL,
        polls          INTEGER NOT NULL DEFAULT 0,
        created_at     INTEGER NOT NULL,
        ready_at       INTEGER,
        decided_at     INTEGER,
        reason         TEXT,
        fail_info      TEXT,
        serial         TEXT
      );
      CREATE INDEX pending_requests_status ON pending_requests (status);

      CREATE TABLE crls (
        crl_number  INTEGER PRIMARY KEY,
        this_update INTEGER NOT NULL,
        next_update INTEGER NOT NULL,
        der         BLOB NOT NULL
      );

      CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );

      CREATE TABLE root_ca_updates (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        old_root_sha256 TEXT NOT NULL,
        new_with_new    BLOB NOT NULL,
        new_with_old    BLOB,
        old_with_new    BLOB,
        created_at      INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'announcements, their recipients, HTTP push subscribers',
    sql: `
      CREATE TABLE announcements (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient    TEXT NOT NULL,
        message      BLOB NOT NULL,
        created_at   INTEGER NOT NULL,
        delivered_at INTEGER
      );
      CREATE INDEX announcements_pending ON announcements (recipient, id) WHERE delivered_at IS NULL;

      CREATE TABLE announcement_recipients (
        recipient TEXT PRIMARY KEY,
        added_at  INTEGER NOT NULL
      );

      CREATE TABLE push_subscribers (
        recipient TEXT NOT NULL,
        url       TEXT NOT NULL,
        subject   TEXT,
        added_at  INTEGER NOT NULL,
        PRIMARY KEY (recipient, url)
      );
    `,
  },
  {
    version: 4,
    name: 'renewal deadlines, replaced certificates, RA delayed-delivery jobs',
    sql: `
      ALTER TABLE certificates ADD COLUMN replaces TEXT;
      CREATE INDEX certificates_replaces ON certificates (replaces);

      CREATE TABLE renewal_deadlines (
        serial       TEXT PRIMARY KEY,
        deadline     INTEGER NOT NULL,
        requested_at INTEGER NOT NULL
      );
      CREATE INDEX renewal_deadlines_deadline ON renewal_deadlines (deadline);

      CREATE TABLE ra_jobs (
        ticket      TEXT PRIMARY KEY,
        request     TEXT NOT NULL,
        progress    TEXT,
        outcome     TEXT,
        owner       TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
      );
      CREATE INDEX ra_jobs_expires_at ON ra_jobs (expires_at);
      `,
  },
  {
    version: 5,
    name: 'announcements stored once (broadcasts without a recipient), per-recipient delivery cursors and failures, dead letters',
    sql: `
      ALTER TABLE announcement_recipients ADD COLUMN delivered_through INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE announcement_recipients ADD COLUMN failed_id INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE announcement_recipients ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE announcement_recipients ADD COLUMN retry_at INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE announcement_recipients ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
      INSERT OR IGNORE INTO announcement_recipients (recipient, added_at)
        SELECT recipient, MIN(created_at) FROM announcements GROUP BY recipient;
      -- Each recipient's entries went out in order: the cursor stops before its first undelivered one.
      UPDATE announcement_recipients SET delivered_through = COALESCE(
        (SELECT MIN(id) - 1 FROM announcements a WHERE a.recipient = announcement_recipients.recipient AND a.delivered_at IS NULL),
        (SELECT MAX(id) FROM announcements a WHERE a.recipient = announcement_recipients.recipient),
        0);
      CREATE INDEX announcement_recipients_retry ON announcement_recipients (retry_at) WHERE attempts > 0;

      CREATE TABLE announcements_v5 (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient  TEXT,
        message    BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      INSERT INTO announcements_v5 (id, recipient, message, created_at) SELECT id, recipient, message, created_at FROM announcements;
      DROP TABLE announcements;
      ALTER TABLE announcements_v5 RENAME TO announcements;
      CREATE INDEX announcements_by_recipient ON announcements (recipient, id);

      CREATE TABLE announcement_dead_letters (
        recipient       TEXT NOT NULL,
        announcement_id INTEGER NOT NULL,
        attempts        INTEGER NOT NULL,
        error           TEXT NOT NULL,
        dead_at         INTEGER NOT NULL,
        PRIMARY KEY (recipient, announcement_id)
      );
    `,
  },
]);

/**
 * Brings the database to the newest schema: creates `schema_migrations`, then applies every
 * step newer than the recorded version, each in its own transaction together with its record.
 * Refuses a database written by a newer server (a version this list does not know).
 */
export function migrate(
  db: SqliteDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => Date = () => new Date(),
): MigrationResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`server: migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const from = row.version ?? 0;
  const latest = migrations.length;
  if (from > latest) {
    throw new Error(`server: the database has schema version ${from}, newer than this server knows (${latest})`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now().getTime());
    })();
    applied.push(m.version);
  }
  return { from, to: Math.max(from, latest), applied };
}
