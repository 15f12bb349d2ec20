import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKemBMParameter, encodeKemBMParameter, EncodeError, oids } from '../../src/index.js';
import { derErrorOf, fixture, hex } from '../fixtures.js';
import { algIdArb } from '../arbitraries.js';

describe('KemBMParameter', () => {
  it('golden: kemContext as an EXPLICIT [0] OCTET STRING', () => {
    const der = fixture('der/itav/kemBMParameter.der');
    const value = decodeKemBMParameter(der);
    expect(value).toEqual({
      kdf: { algorithm: oids.id_alg_hkdf_with_sha256 },
      kemContext: hex('0011223344556677'),
      len: 32,
      mac: { algorithm: oids.id_hmacWithSHA256, parameters: { der: hex('0500') } },
    });
    expect(der.subarray(17, 21)).toEqual(hex('a00a 0408'));
    expect(encodeKemBMParameter(value)).toEqual(der);
  });

  it('golden: without kemContext', () => {
    const der = fixture('der/itav/kemBMParameter-noContext.der');
    const value = decodeKemBMParameter(der);
    expect(value).toEqual({
      kdf: { algorithm: oids.id_alg_hkdf_with_sha512 },
      len: 64,
      mac: { algorithm: oids.id_hmacWithSHA512 },
    });
    expect('kemContext' in value).toBe(false);
    expect(encodeKemBMParameter(value)).toEqual(der);
  });

  it('len 0 is integerRange (INTEGER (1..MAX))', () => {
    const error = derErrorOf(() => decodeKemBMParameter(fixture('der/itav/invalid/kemBMParameter-len0.der')));
    expect(error.kind).toBe('integerRange');
    expect(error.path).toBe('KemBMParameter.len');
  });

  it('an IMPLICIT [0] kemContext is unexpectedTag (the CMP module has EXPLICIT tags)', () => {
    const error = derErrorOf(() => decodeKemBMParameter(fixture('der/itav/invalid/kemBMParameter-implicitContext.der')));
    expect(error.kind).toBe('unexpectedTag');
    expect(error.path).toBe('KemBMParameter.len');
  });

  it('refuses to encode len below 1 or not an integer', () => {
    const base = {
      kdf: { algorithm: oids.id_alg_hkdf_with_sha256 },
      mac: { algorithm: oids.id_hmacWithSHA256 },
    };
    expect(() => encodeKemBMParameter({ ...base, len: 0 })).toThrow(EncodeError);
    expect(() => encodeKemBMParameter({ ...base, len: 1.5 })).toThrow(EncodeError);
  });

  it('decode(encode(x)) deep-equals x (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            kdf: algIdArb,
            kemContext: fc.uint8Array({ maxLength: 64 }),
            len: fc.integer({ min: 1, max: 2 ** 40 }),
            mac: algIdArb,
          },
          { requiredKeys: ['kdf', 'len', 'mac'] },
        ),
        (value) => {
          expect(decodeKemBMParameter(encodeKemBMParameter(value))).toEqual(value);
        },
      ),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
