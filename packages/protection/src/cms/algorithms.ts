import { ProtectionError } from '../errors/protection-error.js';
import { cmsOids } from './cms-oids.js';

/** A SHA-2 hash as WebCrypto names it. */
export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Digest algorithm OIDs (RFC 5754, RFC 3370) and their WebCrypto names. */
const HASHES: ReadonlyMap<string, HashName> = new Map<string, HashName>([
  [cmsOids.id_sha1, 'SHA-1'],
  [cmsOids.id_sha256, 'SHA-256'],
  [cmsOids.id_sha384, 'SHA-384'],
  [cmsOids.id_sha512, 'SHA-512'],
]);

const HASH_OIDS: Readonly<Record<HashName, string>> = {
  'SHA-1': cmsOids.id_sha1,
  'SHA-256': cmsOids.id_sha256,
  'SHA-384': cmsOids.id_sha384,
  'SHA-512': cmsOids.id_sha512,
};

/** HMAC PRFs of PBKDF2 (RFC 8018 appendix B.1). */
const HMACS: ReadonlyMap<string, HashName> = new Map<string, HashName>([
  [cmsOids.id_hmacWithSHA1, 'SHA-1'],
  [cmsOids.id_hmacWithSHA256, 'SHA-256'],
  [cmsOids.id_hmacWithSHA384, 'SHA-384'],
  [cmsOids.id_hmacWithSHA512, 'SHA-512'],
]);

const HMAC_OIDS: Readonly<Record<HashName, string>> = {
  'SHA-1': cmsOids.id_hmacWithSHA1,
  'SHA-256': cmsOids.id_hmacWithSHA256,
  'SHA-384': cmsOids.id_hmacWithSHA384,
  'SHA-512': cmsOids.id_hmacWithSHA512,
};

export function hashOfOid(oid: string, what: string): HashName {
  const hash = HASHES.get(oid);
  if (!hash) throw new ProtectionError('badAlg', `unsupported ${what} ${oid}`);
  return hash;
}

export function oidOfHash(hash: HashName): string {
  return HASH_OIDS[hash];
}

export function hashOfHmacOid(oid: string): HashName {
  const hash = HMACS.get(oid);
  if (!hash) throw new ProtectionError('badAlg', `unsupported PBKDF2 PRF ${oid}`);
  return hash;
}

export function hmacOidOfHash(hash: HashName): string {
  return HMAC_OIDS[hash];
}

export function hashLength(hash: HashName): number {
  return hash === 'SHA-1' ? 20 : hash === 'SHA-256' ? 32 : hash === 'SHA-384' ? 48 : 64;
}

/**
 * Content-encryption algorithms of RFC 9481 section 5 (AES-CBC, RFC 3565). `'AES-256-CBC'` is
 * what cmpkit writes by default; all three are accepted when opening.
 */
export type ContentEncryptionAlgorithm = 'AES-128-CBC' | 'AES-192-CBC' | 'AES-256-CBC';

export interface AesVariant {
  /** Key length in bytes. */
  keyLength: 16 | 24 | 32;
  cbc: string;
  wrap: string;
}

const AES: Readonly<Record<ContentEncryptionAlgorithm, AesVariant>> = {
  'AES-128-CBC': { keyLength: 16, cbc: cmsOids.id_aes128_CBC, wrap: cmsOids.id_aes128_wrap },
  'AES-192-CBC': { keyLength: 24, cbc: cmsOids.id_aes192_CBC, wrap: cmsOids.id_aes192_wrap },
  'AES-256-CBC': { keyLength: 32, cbc: cmsOids.id_aes256_CBC, wrap: cmsOids.id_aes256_wrap },
};

export function aesVariant(algorithm: ContentEncryptionAlgorithm): AesVariant {
  const variant = AES[algorithm];
  if (!variant) throw new ProtectionError('badAlg', `unsupported content encryption ${String(algorithm)}`);
  return variant;
}

export function aesOfCbcOid(oid: string): AesVariant | undefined {
  return Object.values(AES).find((v) => v.cbc === oid);
}

export function aesOfWrapOid(oid: string): AesVariant | undefined {
  return Object.values(AES).find((v) => v.wrap === oid);
}

/** ECDH key agreement schemes of RFC 5753 / RFC 9481 section 4.1.2 (standard DH, X9.63 KDF). */
const ECDH_SCHEMES: ReadonlyMap<string, HashName> = new Map<string, HashName>([
  // SEC 1 dhSinglePass-stdDH-sha1kdf-scheme: OpenSSL's default KDF for ECDH in CMS; read only
  [cmsOids.dhSinglePass_stdDH_sha1kdf_scheme, 'SHA-1'],
  [cmsOids.dhSinglePass_stdDH_sha256kdf_scheme, 'SHA-256'],
  [cmsOids.dhSinglePass_stdDH_sha384kdf_scheme, 'SHA-384'],
  [cmsOids.dhSinglePass_stdDH_sha512kdf_scheme, 'SHA-512'],
]);

export function kdfHashOfScheme(oid: string): HashName {
  const hash = ECDH_SCHEMES.get(oid);
  if (!hash) throw new ProtectionError('badAlg', `unsupported key agreement algorithm ${oid}`);
  return hash;
}

export function schemeOfKdfHash(hash: HashName): string {
  for (const [oid, h] of ECDH_SCHEMES) if (h === hash && h !== 'SHA-1') return oid;
  throw new ProtectionError('badAlg', `no dhSinglePass-stdDH scheme with ${hash}`);
}

/** Named curves WebCrypto offers for ECDH and ECDSA. */
export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

const CURVES: ReadonlyMap<string, NamedCurve> = new Map<string, NamedCurve>([
  [cmsOids.secp256r1, 'P-256'],
  [cmsOids.secp384r1, 'P-384'],
  [cmsOids.secp521r1, 'P-521'],
]);

export function curveOfOid(oid: string): NamedCurve {
  const curve = CURVES.get(oid);
  if (!curve) throw new ProtectionError('badAlg', `unsupported elliptic curve ${oid}`);
  return curve;
}

/** The hash matched to a curve's strength (RFC 5753 section 8, RFC 5480). */
export function hashOfCurve(curve: NamedCurve): HashName {
  return curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512';
}

/** Coordinate size of a curve in bytes. */
export function coordinateLength(curve: NamedCurve): number {
  return curve === 'P-256' ? 32 : curve === 'P-384' ? 48 : 66;
}
