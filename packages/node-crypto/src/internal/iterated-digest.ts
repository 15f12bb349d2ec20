/** A hash in progress, as node:crypto's `Hash`. */
interface HashLike {
  update(data: Uint8Array): HashLike;
  digest(): Uint8Array;
}

/** node:crypto's `createHash`. */
type CreateHash = (name: string) => HashLike;

/** PasswordBasedMac's OWF iteration (RFC 9810 section 5.1.3.1). */
export interface IteratedDigest {
  /** The OWF `hash` applied `iterationCount` times to `secret || salt`. */
  iterate(hash: string, secret: Uint8Array, salt: Uint8Array, iterationCount: number): Uint8Array;
}

/**
 * Builds {@link IteratedDigest} on `createHash`. Everything it needs is inside this one function,
 * so its source text is also the code of the key-derivation worker thread (see
 * `key-derivation-worker-source.ts`): keep it free of references to anything outside it.
 *
 * node:crypto pays an object and a buffer per hash; PasswordBasedMac hashes its own output
 * hundreds of times. For SHA-1 and SHA-256 every round after the first is a single block, which
 * the loops below compute on five or eight words in place with no allocation at all, 2-4 times
 * faster. The first round (secret || salt, any length) and SHA-384/512 use `createHash`. The
 * arithmetic (add, rotate, xor) takes the same time for any data: no table is indexed by it.
 */
export function createIteratedDigest(createHash: CreateHash): IteratedDigest {
  const K256 = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const IV256 = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const IV1 = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  const W = new Int32Array(80);
  const NODE_NAMES: Record<string, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

  function readWords(bytes: Uint8Array, words: Int32Array): void {
    for (let i = 0; i < words.length; i++) {
      words[i] = (bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!;
    }
  }

  function writeWords(words: Int32Array): Uint8Array {
    const out = new Uint8Array(words.length * 4);
    for (let i = 0; i < words.length; i++) {
      out[4 * i] = words[i]! >>> 24;
      out[4 * i + 1] = words[i]! >>> 16;
      out[4 * i + 2] = words[i]! >>> 8;
      out[4 * i + 3] = words[i]!;
    }
    return out;
  }

  // SHA-256 of the 32-byte message held in S, in place: one padded block (FIPS 180-4 section 6.2).
  function sha256Of32(S: Int32Array): void {
    for (let i = 0; i < 8; i++) W[i] = S[i]!;
    W[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) W[i] = 0;
    W[15] = 256;
    for (let t = 16; t < 64; t++) {
      const x = W[t - 15]!;
      const y = W[t - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
    }
    let a = IV256[0]!;
    let b = IV256[1]!;
    let c = IV256[2]!;
    let d = IV256[3]!;
    let e = IV256[4]!;
    let f = IV256[5]!;
    let g = IV256[6]!;
    let h = IV256[7]!;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K256[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    S[0] = (IV256[0]! + a) | 0;
    S[1] = (IV256[1]! + b) | 0;
    S[2] = (IV256[2]! + c) | 0;
    S[3] = (IV256[3]! + d) | 0;
    S[4] = (IV256[4]! + e) | 0;
    S[5] = (IV256[5]! + f) | 0;
    S[6] = (IV256[6]! + g) | 0;
    S[7] = (IV256[7]! + h) | 0;
  }

  // SHA-1 of the 20-byte message held in S, in place: one padded block (FIPS 180-4 section 6.1).
  function sha1Of20(S: Int32Array): void {
    for (let i = 0; i < 5; i++) W[i] = S[i]!;
    W[5] = 0x80000000 | 0;
    for (let i = 6; i < 15; i++) W[i] = 0;
    W[15] = 160;
    for (let t = 16; t < 80; t++) {
      const x = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
      W[t] = (x << 1) | (x >>> 31);
    }
    let a = IV1[0]!;
    let b = IV1[1]!;
    let c = IV1[2]!;
    let d = IV1[3]!;
    let e = IV1[4]!;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + W[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    S[0] = (IV1[0]! + a) | 0;
    S[1] = (IV1[1]! + b) | 0;
    S[2] = (IV1[2]! + c) | 0;
    S[3] = (IV1[3]! + d) | 0;
    S[4] = (IV1[4]! + e) | 0;
  }

  return {
    iterate(hash, secret, salt, iterationCount) {
      const name = NODE_NAMES[hash];
      if (name === undefined) throw new Error(`unsupported hash ${hash}`);
      let key = createHash(name).update(secret).update(salt).digest();
      if (hash === 'SHA-256' || hash === 'SHA-1') {
        const S = new Int32Array(hash === 'SHA-256' ? 8 : 5);
        const round = hash === 'SHA-256' ? sha256Of32 : sha1Of20;
        readWords(key, S);
        for (let i = 1; i < iterationCount; i++) round(S);
        return writeWords(S);
      }
      for (let i = 1; i < iterationCount; i++) key = createHash(name).update(key).digest();
      return new Uint8Array(key);
    },
  };
}
