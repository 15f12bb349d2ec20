import {
  CERTIFICATE_HOLD,
  type CertificateRepository,
  type CertificateStatus,
  type RevokeOutcome,
  type StoredCertificate,
} from '@cmpkit/issuer';
import { bytesOf, type SqliteDatabase } from './sqlite.js';

interface Row {
  serial: string;
  issuer: string;
  subject: string;
  der: Uint8Array;
  not_before: number;
  not_after: number;
  profile: string;
  requester: string;
  transaction_id: string | null;
  status: CertificateStatus;
  issued_at: number;
  revoked_at: number | null;
  revocation_reason: number | null;
}

function fromRow(row: Row): StoredCertificate {
  return {
    serial: row.serial,
    issuer: row.issuer,
    subject: row.subject,
    der: bytesOf(row.der),
    notBefore: new Date(row.not_before),
    notAfter: new Date(row.not_after),
    profile: row.profile,
    requester: row.requester,
    ...(row.transaction_id === null ? {} : { transactionId: row.transaction_id }),
    status: row.status,
    issuedAt: new Date(row.issued_at),
    ...(row.revoked_at === null ? {} : { revokedAt: new Date(row.revoked_at) }),
    ...(row.revocation_reason === null ? {} : { revocationReason: row.revocation_reason }),
  };
}

export function sqliteCertificateRepository(db: SqliteDatabase): CertificateRepository {
  const insert = db.prepare(
    `INSERT INTO certificates (serial, issuer, subject, der, not_before, not_after, profile, requester, transaction_id, status, issued_at)
     VALUES (@serial, @issuer, @subject, @der, @notBefore, @notAfter, @profile, @requester, @transactionId, 'issued', @issuedAt)`,
  );
  const select = db.prepare<[string], Row>('SELECT * FROM certificates WHERE serial = ?');
  const confirm = db.prepare("UPDATE certificates SET status = 'confirmed' WHERE serial = ? AND status = 'issued'");
  const revoke = db.prepare(
    "UPDATE certificates SET status = 'revoked', revoked_at = ?, revocation_reason = ? WHERE serial = ? AND status <> 'revoked'",
  );
  const releaseHold = db.prepare(
    `UPDATE certificates SET status = 'confirmed', revoked_at = NULL, revocation_reason = NULL
     WHERE serial = ? AND status = 'revoked' AND revocation_reason = ${CERTIFICATE_HOLD}`,
  );
  const revoked = db.prepare<[], Pick<Row, 'serial' | 'revoked_at' | 'revocation_reason'>>(
    "SELECT serial, revoked_at, revocation_reason FROM certificates WHERE status = 'revoked' ORDER BY revoked_at, serial",
  );
  const listAll = db.prepare<[number], Row>('SELECT * FROM certificates ORDER BY issued_at DESC, serial LIMIT ?');
  const listStatus = db.prepare<[string, number], Row>(
    'SELECT * FROM certificates WHERE status = ? ORDER BY issued_at DESC, serial LIMIT ?',
  );
  const revokeTx = db.transaction((serial: string, reason: number, at: Date): RevokeOutcome => {
    if (revoke.run(at.getTime(), reason, serial).changes > 0) return 'revoked';
    return select.get(serial) ? 'alreadyRevoked' : 'unknown';
  });

  return {
    async insert(c) {
      insert.run({
        serial: c.serial,
        issuer: c.issuer,
        subject: c.subject,
        der: c.der,
        notBefore: c.notBefore.getTime(),
        notAfter: c.notAfter.getTime(),
        profile: c.profile,
        requester: c.requester,
        transactionId: c.transactionId ?? null,
        issuedAt: c.issuedAt.getTime(),
      });
    },
    async get(serial) {
      const row = select.get(serial);
      return row ? fromRow(row) : undefined;
    },
    async confirm(serial) {
      return confirm.run(serial).changes > 0;
    },
    async revoke(serial, reason, at) {
      return revokeTx.immediate(serial, reason, at);
    },
    async releaseHold(serial) {
      return releaseHold.run(serial).changes > 0;
    },
    async revoked() {
      return revoked.all().map((r) => ({
        serial: r.serial,
        revokedAt: new Date(r.revoked_at!),
        ...(r.revocation_reason === null ? {} : { revocationReason: r.revocation_reason }),
      }));
    },
    async list(options = {}) {
      const limit = options.limit ?? -1;
      return (options.status ? listStatus.all(options.status, limit) : listAll.all(limit)).map(fromRow);
    },
  };
}
