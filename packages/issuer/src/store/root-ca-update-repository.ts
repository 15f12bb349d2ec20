/** The certificates of one root CA key update (RFC 9810 section 4.4), DER. */
export interface RootCaUpdate {
  /** SHA-256 (hex) of the old root certificate's DER. */
  oldRootSha256: string;
  newWithNew: Uint8Array;
  newWithOld?: Uint8Array;
  oldWithNew?: Uint8Array;
  createdAt: Date;
}

/** Root CA key updates that happened, for genm rootCaCert (RFC 9810 section 5.3.19.15). */
export interface RootCaUpdateRepository {
  add(update: RootCaUpdate): Promise<void>;
  /** The newest update away from the root with this hash. */
  fromRoot(oldRootSha256: string): Promise<RootCaUpdate | undefined>;
  /** The newest update of all. */
  latest(): Promise<RootCaUpdate | undefined>;
}
