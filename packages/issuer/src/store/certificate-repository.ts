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
