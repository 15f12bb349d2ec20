import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKemOtherInfo, encodeKemOtherInfo } from '../../src/index.js';
import { chainBytes, derErrorOf, fixture, hex } from '../fixtures.js';
import { textArb } from '../arbitraries.js';

describe('KemOtherInfo', () => {
  it('golden: with kemContext as an EXPLICIT [0] OCTET STRING', () => {
    const der = fixture('der/itav/kemOtherInfo.der');
    const value = decodeKemOtherInfo(der);
    expect(value).toEqual({
      staticString: ['CMP-KEM'],
      transactionID: chainBytes('transactionID', 16),
      kemContext: hex('0011223344556677'),
    });
    expect(encodeKemOtherInfo(value)).toEqual(der);
  });

  it('golden: without kemContext', () => {
    const der = fixture('der/itav/kemOtherInfo-noContext.der');
    const value = decodeKemOtherInfo(der);
    expect(value).toEqual({
      staticString: ['CMP-KEM'],
      transactionID: chainBytes('transactionID', 16),
    });
    expect(encodeKemOtherInfo(value)).toEqual(der);
  });

  it('an empty staticString is sizeConstraint (PKIFreeText is SIZE (1..MAX))', () => {
    const error = derErrorOf(() => decodeKemOtherInfo(fixture('der/itav/invalid/kemOtherInfo-emptyStaticString.der')));
    expect(error.kind).toBe('sizeConstraint');
    expect(error.path).toBe('KemOtherInfo.staticString');
  });

  it('decode(encode(x)) deep-equals x (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            staticString: fc.array(textArb, { minLength: 1, maxLength: 3 }),
            transactionID: fc.uint8Array({ maxLength: 32 }),
            kemContext: fc.uint8Array({ maxLength: 64 }),
          },
          { requiredKeys: ['staticString', 'transactionID'] },
        ),
        (value) => {
          expect(decodeKemOtherInfo(encodeKemOtherInfo(value))).toEqual(value);
        },
      ),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
