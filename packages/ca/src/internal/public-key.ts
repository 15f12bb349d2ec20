import { AsnConvert } from '@peculiar/asn1-schema';
import { ECParameters } from '@peculiar/asn1-ecc';
import { RSAPublicKey, RsaSaPssParams } from '@peculiar/asn1-rsa';
import { encodeSubjectPublicKeyInfo, oids, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import type { CertificateProfile } from '../profile/certificate-profile.js';
import { bytesEqual } from './der.js';
import { isOnCurve } from './ec-point.js';
import { MAX_RSA_BITS, parseKeyAlgorithm, type FixedKeyName, type KeyAlgorithmSpec } from './key-algorithm.js';

/** What the CA learned about a checked public key. */
export interface CheckedPublicKey {
  /** The SubjectPublicKeyInfo as DER, as it goes into the certificate. */
  der: Uint8Array;
  /**
   * Which keyUsage bits (KeyUsageFlags) the key type allows: RSA all; EC all but the
   * encipherment bits; ML-DSA only the signing bits (RFC 9881 section 5); ML-KEM only
   * keyEncipherment (the LAMPS ML-KEM certificate specification).
   */
  keyUsageMask: number;
}

// KeyUsageFlags of @peculiar/asn1-x509 (bit 0 first): digitalSignature 1, nonRepudiation 2,
// keyEncipherment 4, dataEncipherment 8, keyAgreement 16, keyCertSign 32, cRLSign 64, encipherOnly 128, decipherOnly 256.
const ALL_USAGES = 0x1ff;
const NOT_ENCIPHERMENT = ALL_USAGES & ~(4 | 8);
const SIGNING_ONLY = 1 | 2 | 32 | 64;
const KEY_ENCIPHERMENT_ONLY = 4;

const CURVES: Record<string, { name: 'P-256' | 'P-384' | 'P-521'; size: number }> = {
  [oids.secp256r1]: { name: 'P-256', size: 32 },
  [oids.secp384r1]: { name: 'P-384', size: 48 },
  [oids.secp521r1]: { name: 'P-521', size: 66 },
};

const FIXED_KEYS: Record<string, { name: FixedKeyName; length: number }> = {
  [oids.id_Ed25519]: { name: 'ed25519', length: 32 },
  [oids.id_Ed448]: { name: 'ed448', length: 57 },
  [oids.id_X25519]: { name: 'x25519', length: 32 },
  [oids.id_X448]: { name: 'x448', length: 56 },
  [oids.id_ml_dsa_44]: { name: 'ml-dsa-44', length: 1312 },
  [oids.id_ml_dsa_65]: { name: 'ml-dsa-65', length: 1952 },
  [oids.id_ml_dsa_87]: { name: 'ml-dsa-87', length: 2592 },
  [oids.id_alg_ml_kem_512]: { name: 'ml-kem-512', length: 800 },
  [oids.id_alg_ml_kem_768]: { name: 'ml-kem-768', length: 1184 },
  [oids.id_alg_ml_kem_1024]: { name: 'ml-kem-1024', length: 1568 },
};

const NULL_DER = Uint8Array.of(0x05, 0x00);

const hexOf = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The DER of ECParameters naming each supported curve: the common case is read without a schema parse. */
const NAMED_CURVE_PARAMETERS = new Map(
  Object.keys(CURVES).map((oid) => [hexOf(new Uint8Array(AsnConvert.serialize(new ECParameters({ namedCurve: oid })))), oid]),
);

function malformed(why: string): never {
  throw new IssuanceError('badCertTemplate', `the public key is malformed: ${why}`);
}

function refused(profile: CertificateProfile, what: string): never {
  throw new IssuanceError('badAlg', `${what} is not accepted by certificate profile "${profile.name}"`);
}

function bitLength(magnitude: Uint8Array): number {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  if (i === magnitude.length) return 0;
  return (magnitude.length - i - 1) * 8 + (32 - Math.clz32(magnitude[i] as number));
}

function parseRsaKey(key: Uint8Array): { bits: number } {
  let parsed: RSAPublicKey;
  try {
    parsed = AsnConvert.parse(key, RSAPublicKey);
  } catch {
    return malformed('not an RSAPublicKey');
  }
  if (!bytesEqual(new Uint8Array(AsnConvert.serialize(parsed)), key)) malformed('RSAPublicKey is not DER');
  const n = new Uint8Array(parsed.modulus);
  const e = new Uint8Array(parsed.publicExponent);
  if (((n[0] ?? 0) & 0x80) !== 0 || ((e[0] ?? 0) & 0x80) !== 0) malformed('negative RSA modulus or exponent');
  const nonMinimal = (v: Uint8Array): boolean => v.length > 1 && v[0] === 0 && ((v[1] as number) & 0x80) === 0;
  if (nonMinimal(n) || nonMinimal(e)) malformed('RSAPublicKey is not DER');
  if (((n[n.length - 1] ?? 0) & 1) === 0) malformed('even RSA modulus');
  if (((e[e.length - 1] ?? 0) & 1) === 0 || bitLength(e) < 2 || bitLength(e) > 256) malformed('RSA exponent out of range');
  return { bits: bitLength(n) };
}

/**
 * Checks that `spki` is a well-formed public key of an algorithm and size `profile` accepts.
 * Malformed keys and RSA keys of a size the profile does not accept (too short, too long, or
 * above 16384 bits) are refused with `badCertTemplate`; keys of an algorithm or curve the profile
 * does not accept with `badAlg`. EC points must lie on their curve.
 */
export function checkPublicKey(spki: SubjectPublicKeyInfo, profile: CertificateProfile): CheckedPublicKey {
  let der: Uint8Array;
  try {
    der = encodeSubjectPublicKeyInfo(spki);
  } catch {
    return malformed('it cannot be encoded');
  }
  const specs = profile.keyAlgorithms.map((s) => parseKeyAlgorithm(s)).filter((s) => s !== null);
  const { algorithm: oid, parameters } = spki.algorithm;
  const key = spki.subjectPublicKey;

  if (oid === oids.id_ecPublicKey) {
    let curveOid: string | undefined = parameters ? NAMED_CURVE_PARAMETERS.get(hexOf(parameters.der)) : undefined;
    if (parameters && curveOid === undefined) {
      try {
        curveOid = AsnConvert.parse(parameters.der, ECParameters).namedCurve;
      } catch {
        return malformed('bad EC parameters');
      }
    }
    if (curveOid === undefined) return refused(profile, 'an EC key without a named curve');
    const curve = CURVES[curveOid];
    if (!curve) return refused(profile, `the elliptic curve ${curveOid}`);
    if (key.length !== 1 + 2 * curve.size || key[0] !== 0x04) malformed(`not an uncompressed ${curve.name} point`);
    if (!specs.some((s) => s.family === 'ec' && s.curve === curve.name)) refused(profile, `an EC ${curve.name} key`);
    if (!isOnCurve(curve.name, key.subarray(1), curve.size)) malformed(`not a point on ${curve.name}`);
    return { der, keyUsageMask: NOT_ENCIPHERMENT };
  }

  if (oid === oids.rsaEncryption || oid === oids.id_RSASSA_PSS) {
    const family = oid === oids.rsaEncryption ? 'rsa' : 'rsa-pss';
    if (family === 'rsa' && parameters && !bytesEqual(parameters.der, NULL_DER)) malformed('rsaEncryption parameters must be NULL');
    if (family === 'rsa-pss' && parameters) {
      try {
        AsnConvert.parse(parameters.der, RsaSaPssParams);
      } catch {
        malformed('bad RSASSA-PSS parameters');
      }
    }
    const { bits } = parseRsaKey(key);
    const label = `an ${family === 'rsa' ? 'RSA' : 'RSA-PSS'} key of ${bits} bits`;
    const sizes = specs.filter((s): s is Extract<KeyAlgorithmSpec, { family: 'rsa' | 'rsa-pss' }> => s.family === family);
    if (sizes.length === 0) refused(profile, `an ${family === 'rsa' ? 'RSA' : 'RSA-PSS'} key`);
    // The algorithm is accepted; a size outside the profile is a template problem, not an algorithm one.
    if (bits > MAX_RSA_BITS || !sizes.some((s) => (s.orMore ? bits >= s.bits : bits === s.bits))) {
      throw new IssuanceError('badCertTemplate', `${label} is not accepted by certificate profile "${profile.name}"`);
    }
    return { der, keyUsageMask: ALL_USAGES };
  }

  const fixed = FIXED_KEYS[oid];
  if (fixed) {
    if (parameters) malformed(`${fixed.name} keys take no parameters`);
    if (key.length !== fixed.length) malformed(`a ${fixed.name} key is ${fixed.length} bytes`);
    if (!specs.some((s) => s.family === 'fixed' && s.name === fixed.name)) refused(profile, `a ${fixed.name} key`);
    const mask = fixed.name.startsWith('ml-kem')
      ? KEY_ENCIPHERMENT_ONLY
      : fixed.name.startsWith('ml-dsa')
        ? SIGNING_ONLY
        : NOT_ENCIPHERMENT;
    return { der, keyUsageMask: mask };
  }

  return refused(profile, `the key algorithm ${oid}`);
}
