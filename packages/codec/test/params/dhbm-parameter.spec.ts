import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDHBMParameter, encodeDHBMParameter, oids } from '../../src/index.js';
import { derErrorOf, fixture, hex } from '../fixtures.js';
import { algIdArb } from '../arbitraries.js';

describe('DHBMParameter', () => {
  it('golden', () => {
    const der = fixture('der/itav/dhbmParameter.der');
    const value = decodeDHBMParameter(der);
    expect(value).toEqual({
      owf: { algorithm: oids.id_sha256 },
      mac: { algorithm: oids.id_hmacWithSHA256, parameters: { der: hex('0500') } },
    });
    expect(encodeDHBMParameter(value)).toEqual(der);
  });

  it('a missing mac is truncated', () => {
    const error = derErrorOf(() => decodeDHBMParameter(fixture('der/itav/invalid/dhbmParameter-noMac.der')));
    expect(error.kind).toBe('truncated');
    expect(error.path).toBe('DHBMParameter.mac');
  });

  it('trailing bytes after the SEQUENCE are trailingData', () => {
    const der = fixture('der/itav/dhbmParameter.der');
    expect(derErrorOf(() => decodeDHBMParameter(new Uint8Array([...der, 0x05, 0x00]))).kind).toBe('trailingData');
  });

  it('decode(encode(x)) deep-equals x (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(fc.record({ owf: algIdArb, mac: algIdArb }), (value) => {
        expect(decodeDHBMParameter(encodeDHBMParameter(value))).toEqual(value);
      }),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
