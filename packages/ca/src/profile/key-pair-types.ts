import { oids, type AlgorithmIdentifier, type Control, type KeyUsageName } from '@cmpkit/codec';
import { tlv } from '../internal/der.js';
import { parseKeyAlgorithm, type KeyAlgorithmSpec } from '../internal/key-algorithm.js';
import type { CertificateProfile } from './certificate-profile.js';

/** What a certified key is for: signing, or encryption and key agreement. */
export type KeyPairUsage = 'signature' | 'encryption';

const CURVE_OIDS = { 'P-256': oids.secp256r1, 'P-384': oids.secp384r1, 'P-521': oids.secp521r1 } as const;

const FIXED_OIDS: Record<string, string> = {
  ed25519: oids.id_Ed25519,
  ed448: oids.id_Ed448,
  x25519: oids.id_X25519,
  x448: oids.id_X448,
  'ml-dsa-44': oids.id_ml_dsa_44,
  'ml-dsa-65': oids.id_ml_dsa_65,
  'ml-dsa-87': oids.id_ml_dsa_87,
  'ml-kem-512': oids.id_alg_ml_kem_512,
  'ml-kem-768': oids.id_alg_ml_kem_768,
  'ml-kem-1024': oids.id_alg_ml_kem_1024,
};

/** The keyUsage bits that let a key of each kind serve `usage`. */
const SIGNING_USAGES: readonly KeyUsageName[] = ['digitalSignature', 'nonRepudiation', 'keyCertSign', 'cRLSign'];
const TRANSPORT_USAGES: readonly KeyUsageName[] = ['keyEncipherment', 'dataEncipherment'];
const AGREEMENT_USAGES: readonly KeyUsageName[] = ['keyAgreement'];

/** The DER of an OBJECT IDENTIFIER, for AlgorithmIdentifier parameters. */
function oidDer(oid: string): Uint8Array {
  const arcs = oid.split('.').map(BigInt);
  const body: number[] = [];
  for (const arc of [(arcs[0] as bigint) * 40n + (arcs[1] as bigint), ...arcs.slice(2)]) {
    const chunk = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    body.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(body));
}

/** The SubjectPublicKeyInfo algorithm of a parsed key algorithm (RFC 5480, RFC 4055, RFC 8410, FIPS 203/204). */
function algorithmOf(spec: KeyAlgorithmSpec): AlgorithmIdentifier {
  switch (spec.family) {
    case 'ec':
      return { algorithm: oids.id_ecPublicKey, parameters: { der: oidDer(CURVE_OIDS[spec.curve]) } };
    case 'rsa':
      return { algorithm: oids.rsaEncryption, parameters: { der: Uint8Array.of(0x05, 0x00) } };
    case 'rsa-pss':
      return { algorithm: oids.id_RSASSA_PSS };
    case 'fixed':
      return { algorithm: FIXED_OIDS[spec.name] as string };
  }
}

/** The keyUsage bits through which a key of `spec` serves `usage`, or none when it cannot. */
function usagesFor(spec: KeyAlgorithmSpec, usage: KeyPairUsage): readonly KeyUsageName[] {
  const name = spec.family === 'fixed' ? spec.name : spec.family;
  const signs =
    name === 'ec' || name === 'rsa' || name === 'rsa-pss' || name === 'ed25519' || name === 'ed448' || name.startsWith('ml-dsa');
  if (usage === 'signature') return signs ? SIGNING_USAGES : [];
  // The CA grants keyEncipherment/dataEncipherment to RSA keys only, keyAgreement to (EC)DH keys.
  if (name === 'rsa') return TRANSPORT_USAGES;
  if (name === 'ec' || name === 'x25519' || name === 'x448') return AGREEMENT_USAGES;
  return [];
}

function keyOf(alg: AlgorithmIdentifier): string {
  return `${alg.algorithm}/${alg.parameters ? Array.from(alg.parameters.der).join(',') : ''}`;
}

/**
 * The public key algorithms the CA is willing to certify for `usage` under `profiles` (RFC 9810
 * sections 5.3.19.2 and 5.3.19.3: the answer to genm signKeyPairTypes and encKeyPairTypes): each
 * key algorithm a profile accepts, when the profile's keyUsage lets such a key serve the usage
 * (digitalSignature, nonRepudiation, keyCertSign or cRLSign to sign; keyEncipherment or
 * dataEncipherment for RSA, keyAgreement for EC, X25519 and X448 to encrypt). One id-ecPublicKey
 * per named curve; rsaEncryption stands for every RSA key size. No duplicates, in profile order.
 */
export function keyPairTypesOf(profiles: readonly CertificateProfile[], usage: KeyPairUsage): AlgorithmIdentifier[] {
  const seen = new Set<string>();
  const out: AlgorithmIdentifier[] = [];
  for (const profile of profiles) {
    for (const entry of profile.keyAlgorithms) {
      const spec = parseKeyAlgorithm(entry);
      if (!spec || !usagesFor(spec, usage).some((u) => profile.keyUsage.includes(u))) continue;
      const alg = algorithmOf(spec);
      if (!seen.has(keyOf(alg))) {
        seen.add(keyOf(alg));
        out.push(alg);
      }
    }
  }
  return out;
}

/** RSA modulus lengths offered for an `rsa:N+` entry: N and the common sizes above it. */
const RSA_SIZES = [2048, 3072, 4096];

/**
 * The keySpec controls of a certificate request template for `profile` (RFC 9810 section
 * 5.3.19.16, RFC 9483 section 4.3.3): one id-regCtrl-rsaKeyLen per accepted RSA modulus length
 * (rsaEncryption is implied), one id-regCtrl-algId per other accepted algorithm (id-ecPublicKey with
 * the named curve as parameters, id-RSASSA-PSS, Ed25519, ...). Empty when the profile accepts
 * nothing nameable.
 */
export function keySpecOf(profile: CertificateProfile): Control[] {
  const seen = new Set<string>();
  const out: Control[] = [];
  const add = (control: Control, key: string): void => {
    if (!seen.has(key)) {
      seen.add(key);
      out.push(control);
    }
  };
  for (const entry of profile.keyAlgorithms) {
    const spec = parseKeyAlgorithm(entry);
    if (!spec) continue;
    if (spec.family === 'rsa') {
      const sizes = spec.orMore ? [spec.bits, ...RSA_SIZES.filter((b) => b > spec.bits)] : [spec.bits];
      for (const bits of sizes) add({ type: 'rsaKeyLen', value: bits }, `rsa:${bits}`);
    } else {
      const alg = algorithmOf(spec);
      add({ type: 'algId', value: alg }, keyOf(alg));
    }
  }
  return out;
}
