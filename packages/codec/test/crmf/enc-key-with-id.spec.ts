import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEncKeyWithID, encodeEncKeyWithID, nameToString } from '../../src/index.js';
import { derErrorOf, fixture } from '../fixtures.js';
import { generalNameArb, textArb, tlv } from '../arbitraries.js';

const PKCS8 = fixture('der/itav/sources/ee-pkcs8.der');

describe('EncKeyWithID', () => {
  it('golden: identifier string', () => {
    const der = fixture('der/itav/encKeyWithID-string.der');
    const value = decodeEncKeyWithID(der);
    expect(value).toEqual({
      privateKey: { der: PKCS8 },
      identifier: { type: 'string', value: 'device-0001' },
    });
    expect(encodeEncKeyWithID(value)).toEqual(der);
  });

  it('golden: identifier generalName (directoryName)', () => {
    const der = fixture('der/itav/encKeyWithID-generalName.der');
    const value = decodeEncKeyWithID(der);
    expect(value.privateKey).toEqual({ der: PKCS8 });
    const id = value.identifier;
    expect(id?.type).toBe('generalName');
    const name = id?.type === 'generalName' ? id.value : undefined;
    expect(name?.type === 'directoryName' ? nameToString(name.value) : name).toBe('/C=DE/O=Example Org/CN=device-0001');
    expect(encodeEncKeyWithID(value)).toEqual(der);
  });

  it('golden: no identifier', () => {
    const der = fixture('der/itav/encKeyWithID-noIdentifier.der');
    const value = decodeEncKeyWithID(der);
    expect(value).toEqual({ privateKey: { der: PKCS8 } });
    expect(encodeEncKeyWithID(value)).toEqual(der);
  });

  it('an INTEGER identifier is unexpectedTag', () => {
    const error = derErrorOf(() => decodeEncKeyWithID(fixture('der/itav/invalid/encKeyWithID-integerIdentifier.der')));
    expect(error.kind).toBe('unexpectedTag');
    expect(error.path).toBe('EncKeyWithID.identifier');
  });

  it('decode(encode(x)) deep-equals x (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            privateKey: fc.uint8Array({ maxLength: 200 }).map((b) => ({ der: tlv(0x30, b) })),
            identifier: fc.oneof(
              textArb.map((value) => ({ type: 'string' as const, value })),
              generalNameArb.map((value) => ({ type: 'generalName' as const, value })),
            ),
          },
          { requiredKeys: ['privateKey'] },
        ),
        (value) => {
          expect(decodeEncKeyWithID(encodeEncKeyWithID(value))).toEqual(value);
        },
      ),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
