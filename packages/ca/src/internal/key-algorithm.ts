/** A parsed {@link KeyAlgorithm} entry of a profile. */
export type KeyAlgorithmSpec =
  | { family: 'ec'; curve: 'P-256' | 'P-384' | 'P-521' }
  | { family: 'rsa' | 'rsa-pss'; bits: number; orMore: boolean }
  | { family: 'fixed'; name: FixedKeyName };

/** Key types identified by their OID alone, with a fixed key length. */
export type FixedKeyName =
  'ed25519' | 'ed448' | 'x25519' | 'x448' | 'ml-dsa-44' | 'ml-dsa-65' | 'ml-dsa-87' | 'ml-kem-512' | 'ml-kem-768' | 'ml-kem-1024';

const FIXED = new Set<string>([
  'ed25519',
  'ed448',
  'x25519',
  'x448',
  'ml-dsa-44',
  'ml-dsa-65',
  'ml-dsa-87',
  'ml-kem-512',
  'ml-kem-768',
  'ml-kem-1024',
]);

/** The largest RSA modulus accepted at all, whatever a profile says. */
export const MAX_RSA_BITS = 16384;

/** Parses one `keyAlgorithms` entry, or null when it is not one. */
export function parseKeyAlgorithm(spec: string): KeyAlgorithmSpec | null {
  if (spec === 'ec:P-256' || spec === 'ec:P-384' || spec === 'ec:P-521') {
    return { family: 'ec', curve: spec.slice(3) as 'P-256' | 'P-384' | 'P-521' };
  }
  const rsa = /^(rsa|rsa-pss):([1-9]\d{2,4})(\+?)$/.exec(spec);
  if (rsa) {
    const bits = Number(rsa[2]);
    if (bits > MAX_RSA_BITS) return null;
    return { family: rsa[1] as 'rsa' | 'rsa-pss', bits, orMore: rsa[3] === '+' };
  }
  if (FIXED.has(spec)) return { family: 'fixed', name: spec as FixedKeyName };
  return null;
}
