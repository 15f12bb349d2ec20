/**
 * Limits a received MAC's key derivation parameters must respect. They are checked before any
 * key is derived, so an unauthenticated peer can neither make the verifier spend unbounded work
 * (huge iteration counts) nor weaken the MAC (tiny salts, iteration counts or keys).
 */
export interface MacBounds {
  /** Fewest iterations accepted. */
  minIterations: number;
  /** Most iterations accepted. */
  maxIterations: number;
  /** Shortest salt accepted, in bytes. */
  minSaltLength: number;
  /** Longest salt accepted, in bytes. */
  maxSaltLength: number;
  /** Shortest derived key accepted (PBKDF2 keyLength of PBMAC1), in bytes. */
  minKeyLength: number;
  /** Longest derived key accepted (PBKDF2 keyLength of PBMAC1), in bytes. */
  maxKeyLength: number;
}

/**
 * Defaults for PasswordBasedMac: iterationCount 100 (the minimum of RFC 4211 section 4.4) to
 * 10 000 (each iteration is one WebCrypto digest call, which costs 5-80 µs depending on the
 * provider, so this caps the work per message at well under a second); salt 8 (RFC 4211's
 * SHOULD) to 64 bytes. OpenSSL 3.0 sends 500 iterations and a 16-byte salt.
 */
export const DEFAULT_PASSWORD_BASED_MAC_BOUNDS: Readonly<MacBounds> = Object.freeze({
  minIterations: 100,
  maxIterations: 10_000,
  minSaltLength: 8,
  maxSaltLength: 64,
  minKeyLength: 16,
  maxKeyLength: 64,
});

/**
 * Defaults for PBMAC1: iterationCount 1 000 to 262 144 (2^18, what clients in the field send;
 * PBKDF2-HMAC-SHA256 costs ~50 ms of CPU at that count, and is only run for a senderKID with a
 * stored secret), salt 8 (RFC 8018 section 4.1) to 64 bytes, PBKDF2 keyLength 16 to 64 bytes (a
 * shorter key would let a forger guess the MAC key instead of the secret).
 */
export const DEFAULT_PBMAC1_BOUNDS: Readonly<MacBounds> = Object.freeze({
  minIterations: 1_000,
  maxIterations: 262_144,
  minSaltLength: 8,
  maxSaltLength: 64,
  minKeyLength: 16,
  maxKeyLength: 64,
});

/**
 * Overrides of the MAC parameter bounds: the fields at the top apply to both algorithms, those
 * under `PBMAC1` and `PasswordBasedMac` to that algorithm only (and win). PasswordBasedMac runs one
 * digest call per iteration, PBMAC1 one PBKDF2 call, so their sensible iteration caps differ by
 * orders of magnitude: raise them separately.
 */
export interface MacBoundsOverrides extends Partial<MacBounds> {
  /** Bounds for PBMAC1 only (RFC 9481 section 6.1.3). */
  PBMAC1?: Partial<MacBounds>;
  /** Bounds for PasswordBasedMac only (RFC 9481 section 6.1.1). */
  PasswordBasedMac?: Partial<MacBounds>;
}
