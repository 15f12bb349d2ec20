import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem1024, ml_kem512, ml_kem768 } from '@noble/post-quantum/ml-kem.js';

/** The ML-DSA parameter sets (FIPS 204) by their WebCrypto names. */
export type MlDsaName = 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';
/** The ML-KEM parameter sets (FIPS 203) by their WebCrypto names. */
export type MlKemName = 'ML-KEM-512' | 'ML-KEM-768' | 'ML-KEM-1024';
/** Every algorithm {@link withPostQuantum} adds. */
export type PostQuantumAlgorithmName = MlDsaName | MlKemName;

/** Byte lengths of one parameter set. */
export interface PostQuantumLengths {
  /** The seed keys are generated from (ML-DSA ξ: 32; ML-KEM d || z: 64). */
  readonly seed: number;
  readonly publicKey: number;
  /** The expanded private key (FIPS 203/204 encoding). */
  readonly expandedKey: number;
  /** ML-DSA: the signature; ML-KEM: the ciphertext. */
  readonly output: number;
}

interface Common {
  readonly name: PostQuantumAlgorithmName;
  /** The OID of RFC 9881 (ML-DSA) / the LAMPS ML-KEM certificate specification. */
  readonly oid: string;
  readonly lengths: PostQuantumLengths;
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  /** The public key belonging to an expanded private key. */
  publicKeyOf(expandedKey: Uint8Array): Uint8Array;
}

export interface SignatureScheme extends Common {
  readonly kind: 'signature';
  sign(message: Uint8Array, secretKey: Uint8Array, random: Uint8Array, context: Uint8Array | undefined): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, context: Uint8Array | undefined): boolean;
}

export interface KemScheme extends Common {
  readonly kind: 'kem';
  encapsulate(publicKey: Uint8Array, random: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

export type Scheme = SignatureScheme | KemScheme;

type NobleDsa = typeof ml_dsa44;
type NobleKem = typeof ml_kem512;

function mlDsa(name: MlDsaName, oid: string, noble: NobleDsa, lengths: PostQuantumLengths): SignatureScheme {
  return Object.freeze({
    kind: 'signature',
    name,
    oid,
    lengths,
    keygen: (seed: Uint8Array) => noble.keygen(seed),
    publicKeyOf: (expandedKey: Uint8Array) => noble.getPublicKey(expandedKey),
    sign: (message: Uint8Array, secretKey: Uint8Array, random: Uint8Array, context: Uint8Array | undefined) =>
      noble.sign(message, secretKey, context ? { extraEntropy: random, context } : { extraEntropy: random }),
    verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, context: Uint8Array | undefined) =>
      noble.verify(signature, message, publicKey, context ? { context } : {}),
  });
}

function mlKem(name: MlKemName, oid: string, noble: NobleKem, lengths: PostQuantumLengths): KemScheme {
  return Object.freeze({
    kind: 'kem',
    name,
    oid,
    lengths,
    keygen: (seed: Uint8Array) => noble.keygen(seed),
    publicKeyOf: (expandedKey: Uint8Array) => noble.getPublicKey(expandedKey),
    encapsulate: (publicKey: Uint8Array, random: Uint8Array) => {
      const { cipherText, sharedSecret } = noble.encapsulate(publicKey, random);
      return { ciphertext: cipherText, sharedSecret };
    },
    decapsulate: (ciphertext: Uint8Array, secretKey: Uint8Array) => noble.decapsulate(ciphertext, secretKey),
  });
}

/** The schemes by WebCrypto name. */
export const schemes: ReadonlyMap<string, Scheme> = new Map<string, Scheme>(
  [
    mlDsa('ML-DSA-44', '2.16.840.1.101.3.4.3.17', ml_dsa44, { seed: 32, publicKey: 1312, expandedKey: 2560, output: 2420 }),
    mlDsa('ML-DSA-65', '2.16.840.1.101.3.4.3.18', ml_dsa65, { seed: 32, publicKey: 1952, expandedKey: 4032, output: 3309 }),
    mlDsa('ML-DSA-87', '2.16.840.1.101.3.4.3.19', ml_dsa87, { seed: 32, publicKey: 2592, expandedKey: 4896, output: 4627 }),
    mlKem('ML-KEM-512', '2.16.840.1.101.3.4.4.1', ml_kem512, { seed: 64, publicKey: 800, expandedKey: 1632, output: 768 }),
    mlKem('ML-KEM-768', '2.16.840.1.101.3.4.4.2', ml_kem768, { seed: 64, publicKey: 1184, expandedKey: 2400, output: 1088 }),
    mlKem('ML-KEM-1024', '2.16.840.1.101.3.4.4.3', ml_kem1024, { seed: 64, publicKey: 1568, expandedKey: 3168, output: 1568 }),
  ].map((s) => [s.name, s]),
);

/** The scheme an algorithm argument names (a string or `{ name }`, case-insensitive as WebCrypto does), if it is one of ours. */
export function schemeOf(algorithm: unknown): Scheme | undefined {
  const name = typeof algorithm === 'string' ? algorithm : (algorithm as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') return undefined;
  for (const scheme of schemes.values()) if (scheme.name.toUpperCase() === name.toUpperCase()) return scheme;
  return undefined;
}

/** The algorithms `withPostQuantum` adds, with their OIDs and byte lengths. */
export const postQuantumAlgorithms: ReadonlyArray<{
  readonly name: PostQuantumAlgorithmName;
  readonly kind: 'signature' | 'kem';
  readonly oid: string;
  readonly lengths: PostQuantumLengths;
}> = Object.freeze([...schemes.values()].map(({ name, kind, oid, lengths }) => Object.freeze({ name, kind, oid, lengths })));
