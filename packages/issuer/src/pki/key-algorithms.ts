import { oids, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import type { KeyAlgorithm } from '@cmpkit/ca';
import { oidDer } from './oid-der.js';

/** The key algorithms the server can generate itself: for its CAs and for central key generation. */
export const GENERATED_KEY_ALGORITHMS = [
  'ec:P-256',
  'ec:P-384',
  'ec:P-521',
  'rsa:2048',
  'rsa:3072',
  'rsa:4096',
  'ed25519',
  'ed448',
  'ml-dsa-44',
  'ml-dsa-65',
  'ml-dsa-87',
  'ml-kem-512',
  'ml-kem-768',
  'ml-kem-1024',
] as const;

/** ML-DSA (FIPS 204) and ML-KEM (FIPS 203) by profile name, with their WebCrypto names and OIDs. */
const POST_QUANTUM: Record<string, { name: string; oid: string; kem: boolean }> = {
  'ml-dsa-44': { name: 'ML-DSA-44', oid: oids.id_ml_dsa_44, kem: false },
  'ml-dsa-65': { name: 'ML-DSA-65', oid: oids.id_ml_dsa_65, kem: false },
  'ml-dsa-87': { name: 'ML-DSA-87', oid: oids.id_ml_dsa_87, kem: false },
  'ml-kem-512': { name: 'ML-KEM-512', oid: oids.id_alg_ml_kem_512, kem: true },
  'ml-kem-768': { name: 'ML-KEM-768', oid: oids.id_alg_ml_kem_768, kem: true },
  'ml-kem-1024': { name: 'ML-KEM-1024', oid: oids.id_alg_ml_kem_1024, kem: true },
};

/** True for an ML-DSA or ML-KEM public key. */
export function isPostQuantumKey(publicKey: SubjectPublicKeyInfo): boolean {
  return Object.values(POST_QUANTUM).some((pq) => pq.oid === publicKey.algorithm.algorithm);
}

const CURVE_OIDS: Record<string, string> = {
  'P-256': oids.secp256r1,
  'P-384': oids.secp384r1,
  'P-521': oids.secp521r1,
};

/**
 * WebCrypto key-generation parameters (and the key usages) for a profile key algorithm, or
 * undefined when WebCrypto cannot make such a key as the CA expects it (RSA-PSS keys export as
 * rsaEncryption). ML-DSA and ML-KEM keys need a crypto that offers them (`withPostQuantum` of
 * `@cmpkit/pq-crypto` on Node 20).
 */
export function keyGenParams(
  spec: KeyAlgorithm | string,
): { params: EcKeyGenParams | RsaHashedKeyGenParams | Algorithm; usages: KeyUsage[] } | undefined {
  const ec = /^ec:(P-256|P-384|P-521)$/.exec(spec);
  if (ec) return { params: { name: 'ECDSA', namedCurve: ec[1]! } as EcKeyGenParams, usages: ['sign', 'verify'] };
  const rsa = /^rsa:(\d+)\+?$/.exec(spec);
  if (rsa) {
    return {
      params: {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: Number(rsa[1]),
        publicExponent: Uint8Array.of(1, 0, 1),
        hash: 'SHA-256',
      } as RsaHashedKeyGenParams,
      usages: ['sign', 'verify'],
    };
  }
  const pq = POST_QUANTUM[spec];
  if (pq) {
    const usages = pq.kem ? ['encapsulateBits', 'decapsulateBits'] : ['sign', 'verify'];
    return { params: { name: pq.name }, usages: usages as KeyUsage[] };
  }
  switch (spec) {
    case 'ed25519':
      return { params: { name: 'Ed25519' }, usages: ['sign', 'verify'] };
    case 'ed448':
      return { params: { name: 'Ed448' }, usages: ['sign', 'verify'] };
    case 'x25519':
      return { params: { name: 'X25519' }, usages: ['deriveBits'] };
    case 'x448':
      return { params: { name: 'X448' }, usages: ['deriveBits'] };
    default:
      return undefined;
  }
}

/**
 * Whether a profile key algorithm produces keys with this AlgorithmIdentifier: the hint a
 * central-key-generation request may give in its template's publicKey (RFC 9483 section 4.1.6).
 */
export function matchesAlgorithm(spec: KeyAlgorithm | string, publicKey: SubjectPublicKeyInfo): boolean {
  const { algorithm, parameters } = publicKey.algorithm;
  const ec = /^ec:(P-256|P-384|P-521)$/.exec(spec);
  if (ec) {
    return algorithm === oids.id_ecPublicKey && (!parameters || sameBytes(parameters.der, oidDer(CURVE_OIDS[ec[1]!]!)));
  }
  if (/^rsa:/.test(spec)) return algorithm === oids.rsaEncryption;
  const byName: Record<string, string> = {
    ed25519: oids.id_Ed25519,
    ed448: oids.id_Ed448,
    x25519: oids.id_X25519,
    x448: oids.id_X448,
  };
  return (byName[spec] ?? POST_QUANTUM[spec]?.oid) === algorithm;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
