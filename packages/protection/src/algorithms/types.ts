import type { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@cmpkit/codec';

/**
 * The hash functions this package knows by name. `SHAKE256` means SHAKE256 with 512 bits of
 * output, the form RFC 9481 section 2.2 and section 3.3 (certHash of Ed448 certificates) use.
 */
export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHAKE256';

/** The SHA-2 hashes WebCrypto offers, the only ones used when cmpkit signs or MACs by default. */
export type Sha2Name = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** A message digest algorithm (RFC 9481 section 2), resolved from its AlgorithmIdentifier. */
export interface DigestAlgorithm {
  /** The hash. */
  readonly name: HashName;
  /** The AlgorithmIdentifier as cmpkit writes it (parameters absent, RFC 5754 section 2). */
  readonly identifier: AlgorithmIdentifier;
  /** Output length in bytes. */
  readonly length: number;
  /** True for SHA-1. */
  readonly weak: boolean;
  /** Hashes `data` with the injected WebCrypto. */
  digest(crypto: Crypto, data: Uint8Array): Promise<Uint8Array>;
  /**
   * Hashes `data` synchronously, when the provider has a synchronous hash (see
   * `syncDigestProvider`). PasswordBasedMac's iterated OWF uses it: hundreds of chained
   * WebCrypto digests cost far more in promise round trips than in hashing.
   */
  digestSync?(data: Uint8Array): Uint8Array;
}

/** An HMAC algorithm (RFC 9481 section 6.2.1, and HMAC-SHA1 of RFC 4211 / RFC 8018). */
export interface MacAlgorithm {
  /** The ASN.1 name of the OID, e.g. `hmacWithSHA256`. */
  readonly name: string;
  /** The AlgorithmIdentifier as received, or as cmpkit writes it. */
  readonly identifier: AlgorithmIdentifier;
  /** The underlying hash. */
  readonly hash: 'SHA-1' | Sha2Name;
  /** True for HMAC-SHA1. */
  readonly weak: boolean;
  /** Imports `key` as an HMAC key for this hash. */
  importKey(crypto: Crypto, key: Uint8Array, usages: KeyUsage[]): Promise<CryptoKey>;
}

/** A signature algorithm (RFC 9481 section 3), bound to its AlgorithmIdentifier. */
export interface SignatureAlgorithm {
  /** The ASN.1 name, e.g. `ecdsa-with-SHA256`, `sha256WithRSAEncryption`, `RSASSA-PSS`, `Ed25519`. */
  readonly name: string;
  /** The AlgorithmIdentifier as received, or as cmpkit writes it. */
  readonly identifier: AlgorithmIdentifier;
  /** The message digest of the scheme; undefined for pure EdDSA. */
  readonly hash: HashName | undefined;
  /**
   * The digest for the certHash of a certificate signed with this algorithm (RFC 9810 section
   * 5.3.18, RFC 9481 section 3.3), or undefined when the algorithm names none.
   */
  readonly certHashAlgorithm: AlgorithmIdentifier | undefined;
  /** True when the scheme uses SHA-1: such signatures are only verified with `allowSha1`. */
  readonly weak: boolean;
  /**
   * Imports a public key for verification; throws a ProtectionError (badAlg) when the key does
   * not belong to this algorithm.
   */
  importPublicKey(crypto: Crypto, spki: Uint8Array, info: SubjectPublicKeyInfo): Promise<CryptoKey>;
  /** Signs `data`; the result is in the wire format (DER for ECDSA). */
  sign(crypto: Crypto, privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array>;
  /** Verifies a wire-format signature; false (never an exception) for a malformed signature. */
  verify(crypto: Crypto, publicKey: CryptoKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

/** What {@link AlgorithmProvider.signatureForKey} may be told besides the key. */
export interface SignatureKeyOptions {
  /**
   * The hash to sign with, where the key leaves a choice (ECDSA). RSA keys carry their hash
   * from import; a different value here is refused.
   */
  hash?: Sha2Name;
}

/**
 * One family of algorithms. Each method answers `null` for "not mine", returns the algorithm
 * when it is, and throws a ProtectionError (badAlg) when the identifier is its own but its
 * parameters are not acceptable. The registry asks its providers in order.
 */
export interface AlgorithmProvider {
  /** A name for messages and debugging. */
  readonly name: string;
  /** The digest algorithm of an identifier (OWF, certHash hashAlg), or null. */
  digest?(identifier: AlgorithmIdentifier): DigestAlgorithm | null;
  /** The HMAC algorithm of an identifier (PBM mac, PBKDF2 prf, PBMAC1 messageAuthScheme), or null. */
  mac?(identifier: AlgorithmIdentifier): MacAlgorithm | null;
  /** The signature algorithm of an identifier (protectionAlg, POP, certificate signatures), or null. */
  signature?(identifier: AlgorithmIdentifier): SignatureAlgorithm | null;
  /** The signature algorithm to sign with `key` (by `key.algorithm`), or null. */
  signatureForKey?(key: CryptoKey, options: SignatureKeyOptions): SignatureAlgorithm | null;
}
