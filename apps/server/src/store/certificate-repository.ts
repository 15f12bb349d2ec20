import { bytesOf, type SqliteDatabase } from './sqlite.js';

/** Where an issued certificate stands. */
export type CertificateStatus = 'issued' | 'confirmed' | 'revoked';

/** A certificate the server issued, as stored. */
export interface StoredCertificate {
  /** Lowercase hex without leading zeros. */
  serial: string;
  /** The issuer's name in OpenSSL form (`/O=.../CN=...`). */
  issuer: string;
  /** The subject in OpenSSL form. */
  subject: string;
  der: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** The profile it was issued under. */
  profile: string;
  /** Who asked, e.g. `mac:demo` or `signature:/CN=device-1`. */
  requester: string;
  /** The CMP transaction (hex), when it came from one. */
  transactionId?: string;
  status: CertificateStatus;
  issuedAt: Date;
  revokedAt?: Date;
  /** CRLReason code (RFC 5280 section 5.3.1). */
  revocationReason?: number;
}

/** What {@link CertificateRepository.insert} takes: a new certificate, status `issued`. */
export type NewCertificate = Omit<StoredCertificate, 'status' | 'revokedAt' | 'revocationReason'>;

/** CRLReason certificateHold: the one revocation {@link CertificateRepository.releaseHold} undoes. */
export const CERTIFICATE_HOLD = 6;

/** The outcome of {@link CertificateRepository.revoke}. */
export type RevokeOutcome = 'revoked' | 'alreadyRevoked' | 'unknown';

/** A revoked certificate, as a CRL lists it. */
export interface RevokedEntry {
  serial: string;
  revokedAt: Date;
  revocationReason?: number;
}

/**
 * The certificates the server issued (ARCHITECTURE.md decision 6: stored before the response that
 * carries them leaves). Every method is one statement or transaction of the database, so the
 * `revoke` command and running servers can share it.
 */
export interface CertificateRepository {
  /** Stores a newly issued certificate with status `issued`. */
  insert(certificate: NewCertificate): Promise<void>;
  get(serial: string): Promise<StoredCertificate | undefined>;
  /** `issued` → `confirmed`; returns false when the certificate is unknown or not `issued`. */
  confirm(serial: string): Promise<boolean>;
  /** Marks a certificate revoked at `at` with a CRLReason code, unless it is unknown or already revoked. */
  revoke(serial: string, reason: number, at: Date): Promise<RevokeOutcome>;
  /**
   * Takes a certificate off hold: one revoked with certificateHold (6) becomes `confirmed` again,
   * without revocation date or reason. Returns false when it is unknown or not on hold.
   */
  releaseHold(serial: string): Promise<boolean>;
  /** Every revoked certificate, oldest revocation first. */
  revoked(): Promise<RevokedEntry[]>;
  /** Certificates, newest first, optionally of one status. */
  list(options?: { status?: CertificateStatus; limit?: number }): Promise<StoredCertificate[]>;
}

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
