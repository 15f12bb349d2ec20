import type { Sha2Name } from './algorithms/types.js';
import type { KemMacChoice } from './mac/kem-based-mac.js';
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

/**
 * KEM-based MAC credential (RFC 9810 section 5.1.3.4): the shared secret of a KEM (the owner of
 * the KEM key decapsulated it from the peer's KemCiphertextInfo, or the peer encapsulated it).
 * The MAC key is derived with KemOtherInfo bound to the protected message's transactionID, which
 * cmpkit requires to be the transaction that carried the ciphertext: a shared secret is for one
 * PKI management operation only.
 */
export interface KemMacCredential {
  /** The KEM shared secret ss. */
  kemSharedSecret: Uint8Array;
  /** Written as senderKID when given (e.g. the SubjectKeyIdentifier of the KEM certificate). */
  senderKID?: Uint8Array | string;
  /** KDF, MAC, key length and kemContext. Default: HKDF-SHA256, 32 bytes, HMAC-SHA256. */
  kemMac?: KemMacChoice;
}

/** What {@link protect} protects a message with. */
export type ProtectionCredential = MacCredential | SignatureCredential | KemMacCredential;

/** True for a MAC credential. */
export function isMacCredential(credential: ProtectionCredential): credential is MacCredential {
  return 'secret' in credential;
}

/** True for a KEM-based MAC credential. */
export function isKemMacCredential(credential: ProtectionCredential): credential is KemMacCredential {
  return 'kemSharedSecret' in credential;
}
