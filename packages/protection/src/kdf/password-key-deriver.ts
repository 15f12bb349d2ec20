import type { Sha2Name } from '../algorithms/types.js';

/** The hashes a password-based key derivation may use. */
export type DerivationHash = 'SHA-1' | Sha2Name;

/**
 * One password-based key derivation, described by value so that it can run anywhere (another
 * thread, another process):
 *
 * - `PasswordBasedMac`: the OWF applied `iterationCount` times to `secret || salt` (RFC 9810
 *   section 5.1.3.1); the result has the OWF's output length.
 * - `PBKDF2`: PBKDF2 with HMAC of `prf` (RFC 8018 section 5.2), `keyLength` bytes; PBMAC1
 *   (RFC 9481 section 6.1.2) and PWRI (RFC 3211) use it.
 */
export type PasswordDerivation =
  | { algorithm: 'PasswordBasedMac'; owf: DerivationHash; secret: Uint8Array; salt: Uint8Array; iterationCount: number }
  | { algorithm: 'PBKDF2'; prf: DerivationHash; secret: Uint8Array; salt: Uint8Array; iterationCount: number; keyLength: number };

/**
 * Runs password-based key derivations: the one step of MAC protection and PWRI whose cost an
 * unauthenticated peer chooses (within the MAC bounds). The default, {@link inlineKeyDeriver},
 * derives in the calling thread; a server injects one that runs elsewhere (on Node:
 * `createWorkerKeyDeriver` of `@cmpkit/node-crypto`), so that no request holds its event loop.
 */
export interface PasswordKeyDeriver {
  /** The derived key bytes. Rejects with a `CmpError` when the deriver refuses the work (e.g. too busy). */
  derive(derivation: PasswordDerivation): Promise<Uint8Array>;
  /**
   * The key at once, when the derivation is short enough for this deriver to run it in the
   * calling thread; undefined when it has to be awaited from `derive`. A caller that caps the
   * derivations in flight (`@cmpkit/core`) lets these pass, so that cheap derivations never
   * wait behind expensive ones.
   */
  deriveInline?(derivation: PasswordDerivation): Uint8Array | undefined;
}

/** Options of the operations that derive keys from passwords (MAC protection, publicKeyMAC, PWRI). */
export interface KeyDerivationOptions {
  /** Where password-based key derivations run. Default: in the calling thread ({@link inlineKeyDeriver}). */
  keyDeriver?: PasswordKeyDeriver;
}
