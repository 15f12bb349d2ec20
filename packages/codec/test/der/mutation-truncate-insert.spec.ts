import { describe, expect, it } from 'vitest';
import { allVectors } from '../fixtures.js';
import { SLOWEST_MS } from '../helpers/mutations.js';
import { checkInput, failureSummary, newReport } from '../helpers/robust.js';

/**
 * Every vector under fixtures/der (the invalid corpus too), truncated at every offset, with one byte inserted at every
 * offset and with one byte deleted at every offset: decodePKIMessage either throws a DerError or
 * decodes losslessly; never another exception, never slow.
 */
describe.each(allVectors(true))('mutations of %s', (path, der) => {
  it('truncated at every offset: DerError (or, for an invalid vector, a valid prefix)', () => {
    const report = newReport();
    for (let i = 0; i < der.length; i++) checkInput(report, `${path} truncated to ${i}`, der.subarray(0, i));
    expect(report.failures, failureSummary(report)).toEqual([]);
    // a proper prefix of one valid DER element is never a complete element
    if (!path.startsWith('invalid/')) expect(report.decoded).toBe(0);
    expect(report.calls).toBe(der.length);
    expect(report.slowestMs).toBeLessThan(SLOWEST_MS);
  });

  it('one byte inserted or deleted at every offset: DerError or lossless', () => {
    const report = newReport();
    for (let i = 0; i <= der.length; i++) {
      // the inserted value varies with the offset (0x00, 0x25, 0x4a, ...), covering every byte value
      const value = (i * 37) & 0xff;
      const mutated = new Uint8Array(der.length + 1);
      mutated.set(der.subarray(0, i));
      mutated[i] = value;
      mutated.set(der.subarray(i), i + 1);
      checkInput(report, `${path} with 0x${value.toString(16)} inserted at ${i}`, mutated);
      if (i < der.length) {
        const mutated = new Uint8Array(der.length - 1);
        mutated.set(der.subarray(0, i));
        mutated.set(der.subarray(i + 1), i);
        checkInput(report, `${path} without byte ${i}`, mutated);
      }
    }
    expect(report.failures, failureSummary(report)).toEqual([]);
    expect(report.calls).toBe(2 * der.length + 1);
    expect(report.slowestMs).toBeLessThan(SLOWEST_MS);
  });
});
