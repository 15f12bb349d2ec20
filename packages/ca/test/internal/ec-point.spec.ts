import { describe, expect, it } from 'vitest';
import { isOnCurve } from '../../src/internal/ec-point.js';

const CURVES = [
  ['P-256', 32],
  ['P-384', 48],
  ['P-521', 66],
] as const;

async function publicPoint(namedCurve: string): Promise<Uint8Array> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey)).subarray(1);
}

describe('isOnCurve', () => {
  for (const [curve, size] of CURVES) {
    it(`accepts points WebCrypto generated on ${curve} and refuses changed ones`, async () => {
      for (let i = 0; i < 5; i++) {
        const point = await publicPoint(curve);
        expect(isOnCurve(curve, point, size)).toBe(true);
        const moved = point.slice();
        moved[2 * size - 1] = (moved[2 * size - 1] as number) ^ 1;
        expect(isOnCurve(curve, moved, size)).toBe(false);
      }
    });

    it(`refuses ${curve} coordinates of p or more`, async () => {
      const point = await publicPoint(curve);
      const big = point.slice();
      big.fill(0xff, 0, size);
      if (curve === 'P-521') big[0] = 0x01; // p = 2^521 - 1: all ones in 521 bits
      expect(isOnCurve(curve, big, size)).toBe(false);
      expect(isOnCurve(curve, new Uint8Array(2 * size), size)).toBe(false);
    });
  }

  it('agrees with WebCrypto on a point WebCrypto refuses to import', async () => {
    const point = await publicPoint('P-256');
    point[40] = (point[40] as number) ^ 0x10;
    const raw = Uint8Array.of(4, ...point);
    await expect(crypto.subtle.importKey('raw', raw, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])).rejects.toThrow();
    expect(isOnCurve('P-256', point, 32)).toBe(false);
  });
});
