import type { Sha2Name } from './algorithms/types.js';
import type { MacChoice } from './mac/mac-protection.js';

/**
 * Shared-secret credential (RFC 9810 section 5.1.3.1): the message is MAC-protected with a key
 * derived from `secret`, and `senderKID` tells the recipient which secret.
 */
export interface MacCredential {
  /** The shared secret; a string is taken as its UTF-8 bytes. */
  secret: Uint8Array | string;
  /** The reference value the recipient knows the secret by (e.g. `3078`); written as senderKID. */
  senderKID: Uint8Array | string;
  /** Which MAC and parameters. Default: PBMAC1, PBKDF2-HMAC-SHA256, 10 000 iterations, HMAC-SHA256. */
  mac?: MacChoice;
}

/**
 * Signature credential (RFC 9810 section 5.1.3.3): the private key, its certificate and the
 * chain to send along (issuers, not the trust anchor unless the peer needs it).
 */
export interface SignatureCredential {
  /** A WebCrypto signing key; see `importPrivateKey` for PEM, PKCS #8 and Node KeyObjects. */
  privateKey: CryptoKey;
  /** The signer's certificate (DER). */
  certificate: Uint8Array;
  /** Further certificates (DER) to put after it in extraCerts, issuer first. */
  chain?: readonly Uint8Array[];
  /** The hash for ECDSA keys. Default: by curve (P-256 SHA-256, P-384 SHA-384, P-521 SHA-512). */
  hash?: Sha2Name;
}

/** What {@link protect} protects a message with. */
export type ProtectionCredential = MacCredential | SignatureCredential;

/** True for a MAC credential. */
export function isMacCredential(credential: ProtectionCredential): credential is MacCredential {
  return 'secret' in credential;
}
