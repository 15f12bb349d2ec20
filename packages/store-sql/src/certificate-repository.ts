import { CERTIFICATE_HOLD, type CertificateRepository, type CertificateStatus, type StoredCertificate } from '@cmpkit/issuer';
import { bytesOf, dateOf, numberOf, optional } from './columns.js';
import { REVOKED, revokedEntryOf, type RevokedRow } from './revoked-certificates.js';
import type { SqlConnection } from './sql-connection.js';

interface Row {
  serial: string;
  issuer: string;
  subject: string;
  der: unknown;
  not_before: unknown;
  not_after: unknown;
  profile: string;
  requester: string;
  transaction_id: string | null;
  status: CertificateStatus;
  issued_at: unknown;
  revoked_at: unknown;
  revocation_reason: unknown;
}

const INSERT = `INSERT INTO certificates
  (serial, issuer, subject, der, not_before, not_after, profile, requester, transaction_id, status, issued_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?)`;
const SELECT = 'SELECT * FROM certificates WHERE serial = ?';
const KNOWN = 'SELECT serial FROM certificates WHERE serial = ?';
const CONFIRM = "UPDATE certificates SET status = 'confirmed' WHERE serial = ? AND status = 'issued'";
const REVOKE = `UPDATE certificates SET status = 'revoked', revoked_at = ?, revocation_reason = ?
  WHERE serial = ? AND status <> 'revoked' RETURNING serial`;
const RELEASE_HOLD = `UPDATE certificates SET status = 'confirmed', revoked_at = NULL, revocation_reason = NULL
  WHERE serial = ? AND status = 'revoked' AND revocation_reason = ?`;
// SQLite takes no LIMIT NULL and PostgreSQL no LIMIT -1: a statement each with and without a limit.
const LIST = 'SELECT * FROM certificates ORDER BY issued_at DESC, serial';
const LIST_STATUS = 'SELECT * FROM certificates WHERE status = ? ORDER BY issued_at DESC, serial';

function certificateOf(row: Row): StoredCertificate {
  return {
    serial: row.serial,
    issuer: row.issuer,
    subject: row.subject,
    der: bytesOf(row.der),
    notBefore: dateOf(row.not_before),
    notAfter: dateOf(row.not_after),
    profile: row.profile,
    requester: row.requester,
    ...optional('transactionId', row.transaction_id, String),
    status: row.status,
    issuedAt: dateOf(row.issued_at),
    ...optional('revokedAt', row.revoked_at, dateOf),
    ...optional('revocationReason', row.revocation_reason, numberOf),
  };
}

/**
 * The {@link CertificateRepository} in SQL; the primary key on the serial number keeps server
 * instances from issuing one twice. `revoke` updates and looks the serial up in one transaction,
 * so the outcome (`revoked`, `alreadyRevoked`, `unknown`) describes one state of the table.
 */
export function sqlCertificateRepository(db: SqlConnection): CertificateRepository {
  return {
    async insert(c) {
      await db.run(INSERT, [
        c.serial,
        c.issuer,
        c.subject,
        c.der,
        c.notBefore.getTime(),
        c.notAfter.getTime(),
        c.profile,
        c.requester,
        c.transactionId ?? null,
        c.issuedAt.getTime(),
      ]);
    },
    async get(serial) {
      const [row] = await db.all<Row>(SELECT, [serial]);
      return row ? certificateOf(row) : undefined;
    },
    async confirm(serial) {
      return (await db.run(CONFIRM, [serial])) > 0;
    },
    async revoke(serial, reason, at) {
      const [revoked, known] = await db.atomic([
        { sql: REVOKE, params: [at.getTime(), reason, serial] },
        { sql: KNOWN, params: [serial] },
      ]);
      if (revoked!.length > 0) return 'revoked';
      return known!.length > 0 ? 'alreadyRevoked' : 'unknown';
    },
    async releaseHold(serial) {
      return (await db.run(RELEASE_HOLD, [serial, CERTIFICATE_HOLD])) > 0;
    },
    async revoked() {
      return (await db.all<RevokedRow>(REVOKED)).map(revokedEntryOf);
    },
    async list(options = {}) {
      const base = options.status ? LIST_STATUS : LIST;
      const params = options.status ? [options.status] : [];
      const rows =
        options.limit === undefined ? await db.all<Row>(base, params) : await db.all<Row>(`${base} LIMIT ?`, [...params, options.limit]);
      return rows.map(certificateOf);
    },
  };
}
