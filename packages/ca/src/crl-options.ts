/**
 * The reason of a revocation: the names of CRLReason, RFC 5280 section 5.3.1.
 *
 * ```asn1
 * CRLReason ::= ENUMERATED {
 *      unspecified             (0),
 *      keyCompromise           (1),
 *      cACompromise            (2),
 *      affiliationChanged      (3),
 *      superseded              (4),
 *      cessationOfOperation    (5),
 *      certificateHold         (6),
 *           -- value 7 is not used
 *      removeFromCRL           (8),
 *      privilegeWithdrawn      (9),
 *      aACompromise           (10) }
 * ```
 */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

/**
 * One revoked certificate on a CRL, RFC 5280 section 5.1.2.6 (entry extensions: section 5.3):
 *
 * ```asn1
 * revokedCertificates     SEQUENCE OF SEQUENCE  {
 *      userCertificate         CertificateSerialNumber,
 *      revocationDate          Time,
 *      crlEntryExtensions      Extensions OPTIONAL
 *                               -- if present, version MUST be v2
 *                           }  OPTIONAL,
 * ```
 */
export interface CrlEntry {
  /** The serial number of the revoked certificate. */
  serialNumber: bigint;
  /** When the CA processed the revocation. */
  revocationDate: Date;
  /**
   * Written as the reasonCode entry extension. `'unspecified'` (like no reason) writes none, as
   * RFC 5280 section 5.3.1 recommends; `'removeFromCRL'` belongs to delta CRLs and is refused.
   */
  reason?: RevocationReason;
  /** When the key is known or suspected to have been compromised (invalidityDate entry extension). */
  invalidityDate?: Date;
}

/** Input of `CertificateAuthority.createCrl`. */
export interface CreateCrlOptions {
  /** The revoked certificates; an empty list makes a CRL without revokedCertificates. */
  entries: readonly CrlEntry[];
  /** Issue date of this CRL. Default: the CA's clock. */
  thisUpdate?: Date;
  /** When the next CRL will be issued at the latest; must be after thisUpdate. */
  nextUpdate: Date;
  /** The monotonically increasing cRLNumber (RFC 5280 section 5.2.3), 0 or more, at most 20 octets. */
  crlNumber: bigint;
}
