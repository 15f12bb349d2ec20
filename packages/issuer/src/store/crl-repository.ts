import type { RevokedEntry } from './certificate-repository.js';

/** A CRL the server signed. */
export interface StoredCrl {
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Uint8Array;
}

/** What a CRL about to be signed lists, under which number. */
export interface CrlReservation {
  crlNumber: bigint;
  /** Every certificate revoked when the number was taken, oldest revocation first. */
  revoked: RevokedEntry[];
}

/**
 * Signed CRLs and the cRLNumber counter (RFC 5280 section 5.2.3: monotonically increasing). A
 * number is taken from the counter before the CRL is signed, so two CRLs never share one even
 * when several servers and the `revoke` command sign at the same time; the current CRL is the
 * one with the highest number.
 */
export interface CrlRepository {
  /**
   * Takes the next cRLNumber (1 for the first CRL) and, in the same database transaction, the
   * revoked certificates: a CRL with a higher number never lists fewer revocations.
   */
  reserve(): Promise<CrlReservation>;
  /** Stores a signed CRL. */
  store(crl: StoredCrl): Promise<void>;
  /** The CRL with the highest cRLNumber, if any. */
  current(): Promise<StoredCrl | undefined>;
}
