import { describe, expect, it } from 'vitest';
import { allVectors } from '../fixtures.js';
import { checkInput, failureSummary, newReport } from './robust.js';

/** Upper bound for one decode (+ re-encode) of a mutated vector: "well under a second". */
export const SLOWEST_MS = 500;

/**
 * Registers, for every vector under fixtures/der, a test that XORs `mask` into every byte in
 * turn: decodePKIMessage either throws a DerError or decodes losslessly.
 */
export function bitFlipSuite(mask: number): void {
  describe.each(allVectors(true))(`bit flips 0x${mask.toString(16)} in %s`, (path, der) => {
    it('at every offset: DerError or lossless, never another error, never slow', () => {
      const report = newReport();
      const mutated = der.slice();
      for (let i = 0; i < der.length; i++) {
        mutated[i] = (der[i] as number) ^ mask;
        checkInput(report, `${path} byte ${i} ^ 0x${mask.toString(16)}`, mutated);
        mutated[i] = der[i] as number;
      }
      expect(report.failures, failureSummary(report)).toEqual([]);
      expect(report.calls).toBe(der.length);
      // flipping the outer SEQUENCE's identifier can never decode
      expect(report.calls - report.decoded).toBeGreaterThan(0);
      expect(report.slowestMs).toBeLessThan(SLOWEST_MS);
    });
  });
}
