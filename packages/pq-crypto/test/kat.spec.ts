import { createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem1024, ml_kem512, ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import { nativePostQuantumAlgorithms, withPostQuantum } from '../src/index.js';

// Known-answer vectors made with liboqs (an independent C implementation): see fixtures/pq/README.md.
interface KemVector {
  algorithm: 'ML-KEM-512' | 'ML-KEM-768' | 'ML-KEM-1024';
  seed: string;
  m: string;
  publicKeySha256: string;
  expandedKeySha256: string;
  ciphertext: string;
  sharedSecret: string;
  tamperedCiphertextSharedSecret: string;
}
interface DsaVector {
  algorithm: 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';
  seed: string;
  rnd: string;
  message: string;
  publicKeySha256: string;
  expandedKeySha256: string;
  signature: string;
}
const load = <T>(file: string): T[] =>
  (JSON.parse(readFileSync(new URL(`../../../fixtures/pq/${file}`, import.meta.url), 'utf8')) as { vectors: T[] }).vectors;
const kemVectors = load<KemVector>('ml-kem-kat.json');
const dsaVectors = load<DsaVector>('ml-dsa-kat.json');
const bytes = (hex: string): Uint8Array<ArrayBuffer> => Uint8Array.from(Buffer.from(hex, 'hex'));
const own = (view: Uint8Array): Uint8Array<ArrayBuffer> => Uint8Array.from(view);
const sha256 = (data: ArrayBuffer | Uint8Array): string => createHash('sha256').update(new Uint8Array(data)).digest('hex');
const nobleKem = { 'ML-KEM-512': ml_kem512, 'ML-KEM-768': ml_kem768, 'ML-KEM-1024': ml_kem1024 };
const nobleDsa = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 };

/** A Crypto whose getRandomValues hands out `script` in order (then fails), for deterministic KATs. */
function scripted(script: Uint8Array[]): Crypto {
  const base = webcrypto as unknown as Crypto;
  return {
    subtle: base.subtle,
    randomUUID: () => base.randomUUID(),
    getRandomValues<T extends ArrayBufferView | null>(array: T): T {
      const next = script.shift();
      if (!next || !array || next.length !== array.byteLength) throw new Error('unexpected randomness request');
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(next);
      return array;
    },
  };
}

// The same tests run on every implementation this runtime offers: the pure-JS one always, the
// runtime's own (WebCrypto ML-DSA/ML-KEM, Node 24.7+) where it exists. On Node 20 only the first runs.
const native = await nativePostQuantumAlgorithms(webcrypto as unknown as Crypto);
const implementations = [
  { name: 'pure-js (@noble/post-quantum)', crypto: withPostQuantum(webcrypto as unknown as Crypto, { implementation: 'pure-js' }) },
  ...(native.length === 6 ? [{ name: 'native WebCrypto', crypto: withPostQuantum(webcrypto as unknown as Crypto) }] : []),
];
if (native.length < 6) {
  it.skip(`native WebCrypto ML-DSA/ML-KEM: this runtime (Node ${process.versions.node}) has ${native.join(', ') || 'none'}`, () => {});
}

describe.each(implementations)('ML-KEM known answers from liboqs: $name', ({ crypto }) => {
  it.each(kemVectors)('$algorithm: key from seed, decapsulation and implicit rejection', async (v) => {
    const privateKey = await crypto.subtle.importKey('raw-seed' as 'raw', bytes(v.seed), v.algorithm, true, [
      'decapsulateBits' as KeyUsage,
    ]);
    const subtle = crypto.subtle as unknown as {
      decapsulateBits(a: string, k: CryptoKey, c: Uint8Array): Promise<ArrayBuffer>;
      getPublicKey?(k: CryptoKey, u: string[]): Promise<CryptoKey>;
    };
    expect(Buffer.from(await subtle.decapsulateBits(v.algorithm, privateKey, bytes(v.ciphertext))).toString('hex')).toBe(v.sharedSecret);
    const tampered = bytes(v.ciphertext);
    tampered[0]! ^= 1;
    expect(Buffer.from(await subtle.decapsulateBits(v.algorithm, privateKey, tampered)).toString('hex')).toBe(
      v.tamperedCiphertextSharedSecret,
    );
    const publicKey = await crypto.subtle.importKey(
      'raw-public' as 'raw',
      own(nobleKem[v.algorithm].keygen(bytes(v.seed)).publicKey),
      v.algorithm,
      true,
      ['encapsulateBits' as KeyUsage],
    );
    expect(sha256(await crypto.subtle.exportKey('raw-public' as 'raw', publicKey))).toBe(v.publicKeySha256);
  });
});

describe.each(implementations)('ML-DSA known answers from liboqs: $name', ({ crypto }) => {
  it.each(dsaVectors)('$algorithm: public key from seed and verification', async (v) => {
    const publicKey = await crypto.subtle.importKey(
      'raw-public' as 'raw',
      own(nobleDsa[v.algorithm].keygen(bytes(v.seed)).publicKey),
      v.algorithm,
      true,
      ['verify'],
    );
    expect(sha256(await crypto.subtle.exportKey('raw-public' as 'raw', publicKey))).toBe(v.publicKeySha256);
    expect(await crypto.subtle.verify(v.algorithm, publicKey, bytes(v.signature), bytes(v.message))).toBe(true);
    const forged = bytes(v.signature);
    forged[100]! ^= 0x40;
    expect(await crypto.subtle.verify(v.algorithm, publicKey, forged, bytes(v.message))).toBe(false);
    expect(await crypto.subtle.verify(v.algorithm, publicKey, bytes(v.signature), own(bytes(v.message).subarray(1)))).toBe(false);
  });
});

// Outputs that depend on randomness can only be pinned where the randomness is injectable: the pure-JS path.
describe('pure-JS path reproduces liboqs byte for byte with the same randomness', () => {
  it.each(kemVectors)('$algorithm: expanded key, ciphertext and shared secret', async (v) => {
    expect(sha256(nobleKem[v.algorithm].keygen(bytes(v.seed)).secretKey)).toBe(v.expandedKeySha256);
    const crypto = withPostQuantum(scripted([bytes(v.seed), bytes(v.m)]), { implementation: 'pure-js' });
    const { publicKey } = (await crypto.subtle.generateKey(v.algorithm as never, false, [
      'encapsulateBits',
      'decapsulateBits',
    ] as never)) as CryptoKeyPair;
    const subtle = crypto.subtle as unknown as {
      encapsulateBits(a: string, k: CryptoKey): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }>;
    };
    const { sharedKey, ciphertext } = await subtle.encapsulateBits(v.algorithm, publicKey);
    expect(Buffer.from(ciphertext).toString('hex')).toBe(v.ciphertext);
    expect(Buffer.from(sharedKey).toString('hex')).toBe(v.sharedSecret);
  });

  it.each(dsaVectors)('$algorithm: expanded key and hedged signature', async (v) => {
    expect(sha256(nobleDsa[v.algorithm].keygen(bytes(v.seed)).secretKey)).toBe(v.expandedKeySha256);
    const crypto = withPostQuantum(scripted([bytes(v.seed), bytes(v.rnd)]), { implementation: 'pure-js' });
    const { privateKey, publicKey } = (await crypto.subtle.generateKey(v.algorithm as never, false, ['sign', 'verify'])) as CryptoKeyPair;
    expect(sha256(await crypto.subtle.exportKey('spki', publicKey))).not.toBe(v.publicKeySha256); // SPKI wraps the raw key
    expect(sha256(await crypto.subtle.exportKey('raw-public' as 'raw', publicKey))).toBe(v.publicKeySha256);
    const signature = await crypto.subtle.sign(v.algorithm, privateKey, bytes(v.message));
    expect(Buffer.from(signature).toString('hex')).toBe(v.signature);
  });
});
