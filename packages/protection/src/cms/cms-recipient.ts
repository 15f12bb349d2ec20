import type { HashName } from './algorithms.js';

/**
 * How the recipient's certificate is identified in a RecipientInfo (RFC 5652 section 6.2):
 * by `subjectKeyIdentifier` (the default when the certificate has that extension; RFC 9483
 * section 4.1.6 asks for it) or by `issuerAndSerialNumber`.
 */
export type RecipientIdentifierType = 'subjectKeyIdentifier' | 'issuerAndSerialNumber';

/**
 * Key transport to an RSA certificate (RFC 5652 section 6.2.1, RFC 9481 section 4.2.1):
 * KeyTransRecipientInfo with RSAES-OAEP (RFC 3560), SHA-256 unless `oaepHash` says otherwise.
 */
export interface KeyTransRecipient {
  type: 'ktri';
  /** The end entity's certificate (DER); its RSA public key encrypts the content-encryption key. */
  certificate: Uint8Array;
  /** Default: `'subjectKeyIdentifier'` when the certificate has one, else `'issuerAndSerialNumber'`. */
  recipientIdentifier?: RecipientIdentifierType;
  /** OAEP and MGF1 hash. Default `'SHA-256'`. */
  oaepHash?: Exclude<HashName, 'SHA-1'>;
}

/**
 * Ephemeral-static ECDH to an EC certificate (RFC 5652 section 6.2.2, RFC 5753, RFC 9481 section
 * 4.1.2): KeyAgreeRecipientInfo with dhSinglePass-stdDH-shaNkdf-scheme, the ANSI X9.63 KDF and
 * AES key wrap (RFC 3394) of the content-encryption key's size. Curves P-256, P-384 and P-521.
 */
export interface KeyAgreeRecipient {
  type: 'kari';
  /** The end entity's certificate (DER) with an id-ecPublicKey key on a named curve. */
  certificate: Uint8Array;
  /** Default: `'subjectKeyIdentifier'` when the certificate has one, else `'issuerAndSerialNumber'`. */
  recipientIdentifier?: RecipientIdentifierType;
  /** KDF hash. Default: matched to the curve (P-256 SHA-256, P-384 SHA-384, P-521 SHA-512). */
  kdfHash?: Exclude<HashName, 'SHA-1'>;
  /** User keying material (`ukm`), mixed into the KDF. Optional. */
  ukm?: Uint8Array;
}

/**
 * Password-based key management (RFC 5652 section 6.2.4, RFC 3211, RFC 9481 sections 4.3 and
 * 4.4): PasswordRecipientInfo with PBKDF2 (HMAC-SHA-256 by default) deriving a key-encryption key.
 * In CMP the password is the shared secret of MAC-based protection; a fresh random salt keeps the
 * derived key independent of the MAC key (RFC 9481 section 4.4).
 */
export interface PasswordRecipient {
  type: 'pwri';
  /** The shared secret; text is taken as UTF-8. */
  password: Uint8Array | string;
  /** PBKDF2 iterations. Default 100000. */
  iterationCount?: number;
  /** PBKDF2 PRF hash. Default `'SHA-256'`. */
  prf?: HashName;
  /**
   * The key-encryption algorithm. `'aes-wrap'` (default) is AES key wrap (RFC 3394) as RFC 9481
   * section 4.3 and RFC 9483 prescribe; `'pwri-kek'` is RFC 3211's id-alg-PWRI-KEK with AES-CBC,
   * the only one OpenSSL (`openssl cms -pwri_password`, OpenSSL's CMP client) can open.
   */
  keyWrap?: 'aes-wrap' | 'pwri-kek';
}

/**
 * Key encapsulation to an ML-KEM certificate (RFC 9629 KEMRecipientInfo, in an
 * OtherRecipientInfo of type id-ori-kem): HKDF of the KEM shared secret gives the key-encryption
 * key, AES key wrap (AES-128 for ML-KEM-512, AES-256 otherwise) carries the content-encryption key.
 */
export interface KemRecipient {
  type: 'kemri';
  /** The end entity's certificate (DER) with an ML-KEM-512/768/1024 key. */
  certificate?: Uint8Array;
  /**
   * Instead of a certificate, the requested key of a certification request (a popdecc challenge,
   * RFC 9810 section 5.2.8.3.3): `rid` is then issuerAndSerialNumber with the NULL-DN and the
   * certReqId, as the RFC prescribes.
   */
  requestedKey?: { subjectPublicKeyInfo: Uint8Array; certReqId: number };
  /** Default: `'subjectKeyIdentifier'` when the certificate has one, else `'issuerAndSerialNumber'`. */
  recipientIdentifier?: RecipientIdentifierType;
  /** HKDF hash. Default `'SHA-256'`. */
  kdfHash?: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** User keying material, mixed into the KDF. Optional. */
  ukm?: Uint8Array;
}

/** The one recipient of an EnvelopedData cmpkit builds (RFC 9810 section 5.2.2: exactly one). */
export type CmsRecipient = KeyTransRecipient | KeyAgreeRecipient | PasswordRecipient | KemRecipient;

/**
 * What opens an EnvelopedData or EncryptedValue: the end entity's private key (RSA for key
 * transport, EC for key agreement, ML-KEM for KEMRecipientInfo) or the shared password.
 */
export type CmsDecryptionKey =
  | {
      /**
       * PKCS#8 DER, or a CryptoKey. A CryptoKey of another algorithm (say ECDSA instead of ECDH,
       * or RSA-OAEP bound to another hash) is used after re-import, which needs it extractable.
       */
      privateKey: CryptoKey | Uint8Array;
      /**
       * The certificate of that key (DER). When given, RecipientInfos that name it are tried
       * first; others are still tried (RFC 9810 section 5.2.8.3.2 lets a client ignore `rid`).
       */
      certificate?: Uint8Array;
    }
  | {
      /** The shared secret; text is taken as UTF-8. */
      password: Uint8Array | string;
      /** Refuse PBKDF2 iteration counts above this (denial of service). Default 10000000. */
      maxIterationCount?: number;
    };
