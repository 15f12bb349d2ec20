import {
  CERTIFICATE_HOLD,
  type CertificateRepository,
  type CertificateStatus,
  type RevokedEntry,
  type StoredCertificate,
} from '@cmpkit/issuer';
import { bytea, bytesOfBytea, int, type PostgresPool } from './postgres.js';

interface Row {
  serial: string;
  issuer: string;
  subject: string;
  der: Uint8Array;
  not_before: string;
  not_after: string;
  profile: string;
  requester: string;
  transaction_id: string | null;
  status: CertificateStatus;
  issued_at: string;
  revoked_at: string | null;
  revocation_reason: number | null;
}

function fromRow(row: Row): StoredCertificate {
  return {
    serial: row.serial,
    issuer: row.issuer,
    subject: row.subject,
    der: bytesOfBytea(row.der),
    notBefore: new Date(int(row.not_before)),
    notAfter: new Date(int(row.not_after)),
    profile: row.profile,
    requester: row.requester,
    ...(row.transaction_id === null ? {} : { transactionId: row.transaction_id }),
    status: row.status,
    issuedAt: new Date(int(row.issued_at)),
    ...(row.revoked_at === null ? {} : { revokedAt: new Date(int(row.revoked_at)) }),
    ...(row.revocation_reason === null ? {} : { revocationReason: row.revocation_reason }),
  };
}

/** A revoked row as a CRL entry. */
export function revokedEntryOf(row: { serial: string; revoked_at: string; revocation_reason: number | null }): RevokedEntry {
  return {
    serial: row.serial,
    revokedAt: new Date(int(row.revoked_at)),
    ...(row.revocation_reason === null ? {} : { revocationReason: row.revocation_reason }),
  };
}

/** The revoked certificates, oldest revocation first (shared with the CRL repository). */
export const SELECT_REVOKED =
  "SELECT serial, revoked_at, revocation_reason FROM certificates WHERE status = 'revoked' ORDER BY revoked_at, serial";

/** The {@link CertificateRepository} on PostgreSQL; the primary key on the serial number keeps instances from issuing one twice. */
export function postgresCertificateRepository(pool: PostgresPool): CertificateRepository {
  return {
    async insert(c) {
      await pool.query(
        `INSERT INTO certificates (serial, issuer, subject, der, not_before, not_after, profile, requester, transaction_id, status, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'issued', $10)`,
        [
          c.serial,
          c.issuer,
          c.subject,
          bytea(c.der),
          c.notBefore.getTime(),
          c.notAfter.getTime(),
          c.profile,
          c.requester,
          c.transactionId ?? null,
          c.issuedAt.getTime(),
        ],
      );
    },
    async get(serial) {
      const { rows } = await pool.query<Row>('SELECT * FROM certificates WHERE serial = $1', [serial]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async confirm(serial) {
      const result = await pool.query("UPDATE certificates SET status = 'confirmed' WHERE serial = $1 AND status = 'issued'", [serial]);
      return (result.rowCount ?? 0) > 0;
    },
    async revoke(serial, reason, at) {
      // One statement: the update and the look-up see the same snapshot.
      const { rows } = await pool.query<{ revoked: boolean; known: boolean }>(
        `WITH updated AS (
           UPDATE certificates SET status = 'revoked', revoked_at = $1, revocation_reason = $2
           WHERE serial = $3 AND status <> 'revoked' RETURNING serial
         )
         SELECT EXISTS (SELECT 1 FROM updated) AS revoked, EXISTS (SELECT 1 FROM certificates WHERE serial = $3) AS known`,
        [at.getTime(), reason, serial],
      );
      const row = rows[0]!;
      return row.revoked ? 'revoked' : row.known ? 'alreadyRevoked' : 'unknown';
    },
    async releaseHold(serial) {
      const result = await pool.query(
        `UPDATE certificates SET status = 'confirmed', revoked_at = NULL, revocation_reason = NULL
         WHERE serial = $1 AND status = 'revoked' AND revocation_reason = $2`,
        [serial, CERTIFICATE_HOLD],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async revoked() {
      const { rows } = await pool.query<{ serial: string; revoked_at: string; revocation_reason: number | null }>(SELECT_REVOKED);
      return rows.map(revokedEntryOf);
    },
    async list(options = {}) {
      const limit = options.limit ?? null; // LIMIT NULL: no limit
      const { rows } = options.status
        ? await pool.query<Row>('SELECT * FROM certificates WHERE status = $1 ORDER BY issued_at DESC, serial LIMIT $2', [
            options.status,
            limit,
          ])
        : await pool.query<Row>('SELECT * FROM certificates ORDER BY issued_at DESC, serial LIMIT $1', [limit]);
      return rows.map(fromRow);
    },
  };
}
