/**
 * How key identifiers (the subjectKeyIdentifier of issued certificates, and the CA's own when its
 * certificate carries none) are derived from a public key:
 *
 * - `'sha1'`: the 160-bit SHA-1 hash of the value of the subjectPublicKey BIT STRING (RFC 5280
 *   section 4.2.1.2, method (1)); what OpenSSL and most CAs write. The default.
 * - `'sha256'`: the leftmost 160 bits of its SHA-256 hash (RFC 7093 section 2, method 1).
 */
export type KeyIdentifierMethod = 'sha1' | 'sha256';
