import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeInfoTypeAndValue, encodeInfoTypeAndValue, INFO_TYPE_OIDS, isDerError, type InfoTypeName } from '../../src/index.js';
import { itavArb, itavArbOf, otherItavArb } from '../arbitraries.js';
import { fixtureDir } from '../fixtures.js';

const SEED = 20261127;

describe('InfoTypeAndValue properties (fast-check, fixed seed)', () => {
  it.each(Object.keys(INFO_TYPE_OIDS) as InfoTypeName[])('decode(encode(itav)) deep-equals itav for %s', (type) => {
    fc.assert(
      fc.property(itavArbOf(type), (itav) => {
        const der = encodeInfoTypeAndValue(itav);
        expect(decodeInfoTypeAndValue(der)).toEqual(itav);
        expect(encodeInfoTypeAndValue(decodeInfoTypeAndValue(der))).toEqual(der);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('decode(encode(itav)) deep-equals itav for unknown infoTypes', () => {
    fc.assert(
      fc.property(otherItavArb, (itav) => {
        expect(decodeInfoTypeAndValue(encodeInfoTypeAndValue(itav))).toEqual(itav);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('decode(encode(itav)) deep-equals itav for a mix of all infotypes', () => {
    fc.assert(
      fc.property(fc.array(itavArb, { maxLength: 4 }), (list) => {
        for (const itav of list) expect(decodeInfoTypeAndValue(encodeInfoTypeAndValue(itav))).toEqual(itav);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  const valid = fixtureDir('der/itav').filter(([name]) => name.startsWith('itav-'));

  it('mutated golden vectors either decode or throw a DerError, never another error', () => {
    const mutation = fc.record({
      file: fc.nat(valid.length - 1),
      at: fc.nat(),
      value: fc.nat(255),
      cut: fc.nat(),
      kind: fc.constantFrom('flip', 'truncate', 'insert'),
    });
    fc.assert(
      fc.property(mutation, ({ file, at, value, cut, kind }) => {
        const der = (valid[file] as [string, Uint8Array])[1];
        const i = at % der.length;
        let bytes: Uint8Array;
        if (kind === 'flip') {
          bytes = der.slice();
          bytes[i] = value;
        } else if (kind === 'truncate') {
          bytes = der.subarray(0, cut % der.length);
        } else {
          bytes = new Uint8Array([...der.subarray(0, i), value, ...der.subarray(i)]);
        }
        try {
          const itav = decodeInfoTypeAndValue(bytes);
          // Whatever decodes is DER, so it re-encodes to the same bytes.
          expect(encodeInfoTypeAndValue(itav)).toEqual(bytes);
        } catch (error) {
          if (!isDerError(error)) throw error;
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
