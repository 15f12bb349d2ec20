import type { Migration, MigrationResult } from '@cmpkit/issuer';
import type { PostgresPool } from './postgres.js';

/**
 * The schema on PostgreSQL, step for step the same as the SQLite one (`MIGRATIONS`: same versions,
 * tables and columns), so both report the same schema version. Never edit a released step: append
 * a new one to both lists.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'certificates, transactions, nonces, shared secrets',
    sql: `
      CREATE TABLE certificates (
        serial            TEXT PRIMARY KEY,
        issuer            TEXT NOT NULL,
        subject           TEXT NOT NULL,
        der               BYTEA NOT NULL,
        not_before        BIGINT NOT NULL,
        not_after         BIGINT NOT NULL,
        profile           TEXT NOT NULL,
        requester         TEXT NOT NULL,
        transaction_id    TEXT,
        status            TEXT NOT NULL CHECK (status IN ('issued', 'confirmed', 'revoked')),
        issued_at         BIGINT NOT NULL,
        revoked_at        BIGINT,
        revocation_reason INTEGER
      );
      CREATE INDEX certificates_status ON certificates (status);

      CREATE TABLE transactions (
        transaction_id   TEXT PRIMARY KEY,
        record           TEXT NOT NULL,
        expires_at       BIGINT NOT NULL,
        confirm_deadline BIGINT
      );
      CREATE INDEX transactions_confirm_deadline ON transactions (confirm_deadline);
      CREATE INDEX transactions_expires_at ON transactions (expires_at);

      CREATE TABLE nonces (
        nonce      TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX nonces_expires_at ON nonces (expires_at);

      CREATE TABLE shared_secrets (
        reference  TEXT PRIMARY KEY,
        secret     BYTEA NOT NULL,
        created_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'pending requests, CRLs, root CA key updates',
    sql: `
      CREATE TABLE pending_requests (
        id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind           TEXT NOT NULL CHECK (kind IN ('approval', 'delay')),
        status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'issued')),
        transaction_id TEXT NOT NULL,
        profile        TEXT NOT NULL,
        subject        TEXT NOT NULL,
        requester      TEXT NOT NULL,
        request        TEXT NOT NULL,
        polls          INTEGER NOT NULL DEFAULT 0,
        created_at     BIGINT NOT NULL,
        ready_at       BIGINT,
        decided_at     BIGINT,
        reason         TEXT,
        fail_info      TEXT,
        serial         TEXT
      );
      CREATE INDEX pending_requests_status ON pending_requests (status);

      CREATE TABLE crls (
        crl_number  BIGINT PRIMARY KEY,
        this_update BIGINT NOT NULL,
        next_update BIGINT NOT NULL,
        der         BYTEA NOT NULL
      );

      CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value BIGINT NOT NULL
      );

      CREATE TABLE root_ca_updates (
        id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        old_root_sha256 TEXT NOT NULL,
        new_with_new    BYTEA NOT NULL,
        new_with_old    BYTEA,
        old_with_new    BYTEA,
        created_at      BIGINT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'announcements, their recipients, HTTP push subscribers',
    sql: `
      CREATE TABLE announcements (
        id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        recipient    TEXT NOT NULL,
        message      BYTEA NOT NULL,
        created_at   BIGINT NOT NULL,
        delivered_at BIGINT
      );
      CREATE INDEX announcements_pending ON announcements (recipient, id) WHERE delivered_at IS NULL;

      CREATE TABLE announcement_recipients (
        recipient TEXT PRIMARY KEY,
        added_at  BIGINT NOT NULL
      );

      CREATE TABLE push_subscribers (
        recipient TEXT NOT NULL,
        url       TEXT NOT NULL,
        subject   TEXT,
        added_at  BIGINT NOT NULL,
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
        deadline     BIGINT NOT NULL,
        requested_at BIGINT NOT NULL
      );
      CREATE INDEX renewal_deadlines_deadline ON renewal_deadlines (deadline);

      CREATE TABLE ra_jobs (
        ticket      TEXT PRIMARY KEY,
        request     TEXT NOT NULL,
        progress    TEXT,
        outcome     TEXT,
        owner       TEXT NOT NULL,
        lease_until BIGINT NOT NULL,
        created_at  BIGINT NOT NULL,
        expires_at  BIGINT NOT NULL
      );
      CREATE INDEX ra_jobs_expires_at ON ra_jobs (expires_at);
      `,
  },
  {
    version: 5,
    name: 'announcements stored once (broadcasts without a recipient), per-recipient delivery cursors and failures, dead letters',
    sql: `
      ALTER TABLE announcement_recipients
        ADD COLUMN delivered_through BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN failed_id BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0,
        ADD COLUMN retry_at BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
      INSERT INTO announcement_recipients (recipient, added_at)
        SELECT recipient, MIN(created_at) FROM announcements GROUP BY recipient
        ON CONFLICT (recipient) DO NOTHING;
      -- Each recipient's entries went out in order: the cursor stops before its first undelivered one.
      UPDATE announcement_recipients r SET delivered_through = COALESCE(
        (SELECT MIN(id) - 1 FROM announcements a WHERE a.recipient = r.recipient AND a.delivered_at IS NULL),
        (SELECT MAX(id) FROM announcements a WHERE a.recipient = r.recipient),
        0);
      CREATE INDEX announcement_recipients_retry ON announcement_recipients (retry_at) WHERE attempts > 0;

      CREATE TABLE announcements_v5 (
        id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        recipient  TEXT,
        message    BYTEA NOT NULL,
        created_at BIGINT NOT NULL
      );
      INSERT INTO announcements_v5 (id, recipient, message, created_at) OVERRIDING SYSTEM VALUE
        SELECT id, recipient, message, created_at FROM announcements;
      SELECT setval(pg_get_serial_sequence('announcements_v5', 'id'),
        GREATEST((SELECT MAX(id) FROM announcements_v5), 1), (SELECT MAX(id) IS NOT NULL FROM announcements_v5));
      DROP TABLE announcements;
      ALTER TABLE announcements_v5 RENAME TO announcements;
      CREATE INDEX announcements_by_recipient ON announcements (recipient, id);

      CREATE TABLE announcement_dead_letters (
        recipient       TEXT NOT NULL,
        announcement_id BIGINT NOT NULL,
        attempts        INTEGER NOT NULL,
        error           TEXT NOT NULL,
        dead_at         BIGINT NOT NULL,
        PRIMARY KEY (recipient, announcement_id)
      );
    `,
  },
]);

/** The advisory lock that serialises migrations of processes starting at the same time (any fixed 64-bit number). */
const MIGRATION_LOCK = 0x636d706b6974; // "cmpkit"

/**
 * Brings the PostgreSQL database to the newest schema, like {@link migrate} does for SQLite: each
 * step in its own transaction together with its record in `schema_migrations`. Several servers
 * starting at once take turns on an advisory lock, so each step runs exactly once and the later
 * ones find the schema done. Refuses a database written by a newer server.
 */
export async function migratePostgres(
  pool: PostgresPool,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
  now: () => Date = () => new Date(),
): Promise<MigrationResult> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`server: migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        applied_at BIGINT NOT NULL
      )`);
      const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
      const from = rows[0]?.version ?? 0;
      const latest = migrations.length;
      if (from > latest) {
        throw new Error(`server: the database has schema version ${from}, newer than this server knows (${latest})`);
      }
      const applied: number[] = [];
      for (const m of migrations.slice(from)) {
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            now().getTime(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
        applied.push(m.version);
      }
      return { from, to: Math.max(from, latest), applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    }
  } finally {
    client.release();
  }
}
