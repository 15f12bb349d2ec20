import type { HashName } from './algorithms.js';
import type { RecipientIdentifierType } from './cms-recipient.js';

/**
 * The key generation authority (KGA) or CA that signs a centrally generated key (RFC 9483
 * section 4.1.6.1, RFC 9810 section 5.2.2): its signing key, its certificate and the chain to put
 * into `SignedData.certificates`.
 */
export interface CmsSigner {
  /** ECDSA (P-256/384/521), RSASSA-PKCS1-v1_5, RSA-PSS or Ed25519 private key with `sign` usage. */
  privateKey: CryptoKey;
  /** The signer's certificate (DER); carries id-kp-cmKGA when the signer is not the issuing CA. */
  certificate: Uint8Array;
  /** Further certificates for the end entity to build the path (DER), typically up to the root. */
  chain?: readonly Uint8Array[];
  /**
   * How SignerInfo.sid names the certificate. Default: `'subjectKeyIdentifier'` when the
   * certificate has that extension (RFC 9483 asks for it), else `'issuerAndSerialNumber'`.
   */
  signerIdentifier?: RecipientIdentifierType;
  /** ECDSA hash. Default: matched to the curve (P-256 SHA-256, P-384 SHA-384, P-521 SHA-512). */
  hash?: Exclude<HashName, 'SHA-1'>;
}
