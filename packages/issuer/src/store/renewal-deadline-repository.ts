/** A certificate whose holder was asked to re-enroll (kur) before a deadline (`renew-request`). */
export interface RenewalDeadline {
  /** The certificate's serial number (lowercase hex). */
  serial: string;
  /** When it is revoked unless its holder renewed it. */
  deadline: Date;
  requestedAt: Date;
}

/**
 * The renewal deadlines the CA enforces: when one passes, the certificate is revoked unless a
 * certificate that replaces it (a confirmed kur) was issued before (see
 * `CaIssuer.enforceRenewalDeadlines`).
 */
export interface RenewalDeadlineRepository {
  /** Sets the deadline of a certificate (a later request moves it). */
  set(serial: string, deadline: Date, requestedAt: Date): Promise<void>;
  get(serial: string): Promise<RenewalDeadline | undefined>;
  /** The deadlines that have passed at `now`, earliest first. */
  due(now: Date): Promise<RenewalDeadline[]>;
  remove(serial: string): Promise<void>;
}
