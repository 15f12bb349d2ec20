/**
 * The NIST prime curves (FIPS 186-5 / SP 800-186 section 3.2.1): y^2 = x^3 - 3x + b over GF(p).
 * Each has cofactor 1, so an affine point on the curve is a valid public key.
 */
const CURVE_EQUATIONS: Record<'P-256' | 'P-384' | 'P-521', { p: bigint; b: bigint }> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
};

/** The big-endian integer of `bytes`, taken 32 bits at a time (a BigInt per byte costs 4x). */
function integerOf(bytes: Uint8Array): bigint {
  let value = 0n;
  let i = bytes.length % 4;
  for (let j = 0; j < i; j++) value = (value << 8n) | BigInt(bytes[j]!);
  for (; i < bytes.length; i += 4) {
    const word = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    value = (value << 32n) | BigInt(word);
  }
  return value;
}

/**
 * Whether `x || y` (big-endian coordinates of `size` bytes each) is a point on `curve`: both
 * coordinates below p and the curve equation holds (the partial public-key validation of SP
 * 800-56A section 5.6.2.3.4, which is full validation for these cofactor-1 curves).
 */
export function isOnCurve(curve: keyof typeof CURVE_EQUATIONS, coordinates: Uint8Array, size: number): boolean {
  const { p, b } = CURVE_EQUATIONS[curve];
  const x = integerOf(coordinates.subarray(0, size));
  const y = integerOf(coordinates.subarray(size, 2 * size));
  if (x >= p || y >= p) return false;
  const right = (((x * x) % p) * x - 3n * x + b) % p;
  return (y * y - right) % p === 0n;
}
