import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKemCiphertextInfo, encodeKemCiphertextInfo, oids } from '../../src/index.js';
import { chainBytes, derErrorOf, fixture } from '../fixtures.js';
import { kemCiphertextInfoArb } from '../arbitraries.js';

describe('KemCiphertextInfo', () => {
  it('golden: ML-KEM-768 with a 1088-byte ciphertext', () => {
    const der = fixture('der/itav/kemCiphertextInfo.der');
    const value = decodeKemCiphertextInfo(der);
    expect(value).toEqual({
      kem: { algorithm: oids.id_alg_ml_kem_768 },
      ct: chainBytes('ml-kem-768 ciphertext', 1088),
    });
    expect(encodeKemCiphertextInfo(value)).toEqual(der);
  });

  it('is the value inside the kemCiphertextInfo InfoTypeAndValue', () => {
    const itav = fixture('der/itav/itav-kemCiphertextInfo.der');
    const value = fixture('der/itav/kemCiphertextInfo.der');
    expect(itav.subarray(itav.length - value.length)).toEqual(value);
  });

  it('ct as a BIT STRING is unexpectedTag', () => {
    const error = derErrorOf(() => decodeKemCiphertextInfo(fixture('der/itav/invalid/kemCiphertextInfo-bitString.der')));
    expect(error.kind).toBe('unexpectedTag');
    expect(error.path).toBe('KemCiphertextInfo.ct');
  });

  it('decode(encode(x)) deep-equals x (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(kemCiphertextInfoArb, (value) => {
        expect(decodeKemCiphertextInfo(encodeKemCiphertextInfo(value))).toEqual(value);
      }),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
