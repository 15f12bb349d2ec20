import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeOOBCertHash, encodeOOBCertHash, nameToString, oids } from '../../src/index.js';
import { derErrorOf, fixture, pemFixture } from '../fixtures.js';
import { algIdArb, generalNameArb } from '../arbitraries.js';

const ROOT = pemFixture('pki/openssl-3.0/root.pem');
const ROOT_SHA256 = new Uint8Array(createHash('sha256').update(ROOT).digest());

describe('OOBCertHash', () => {
  it('golden: hashAlg [0] and certId [1] EXPLICIT, hashVal the SHA-256 of the root certificate', () => {
    const der = fixture('der/itav/oobCertHash.der');
    const value = decodeOOBCertHash(der);
    expect(value.hashAlg).toEqual({ algorithm: oids.id_sha256 });
    expect(value.certId?.serialNumber).toBe(1n);
    const issuer = value.certId?.issuer;
    expect(issuer?.type === 'directoryName' ? nameToString(issuer.value) : issuer).toBe('/C=DE/O=Example Org/CN=CMP Perf Root CA');
    expect(value.hashVal).toEqual(ROOT_SHA256);
    expect(encodeOOBCertHash(value)).toEqual(der);
  });

  it('golden: hashVal only', () => {
    const der = fixture('der/itav/oobCertHash-hashOnly.der');
    const value = decodeOOBCertHash(der);
    expect(value).toEqual({ hashVal: ROOT_SHA256 });
    expect(encodeOOBCertHash(value)).toEqual(der);
  });

  it('a hashVal with unused bits is invalidBitString', () => {
    const error = derErrorOf(() => decodeOOBCertHash(fixture('der/itav/invalid/oobCertHash-unusedBits.der')));
    expect(error.kind).toBe('invalidBitString');
    expect(error.path).toBe('OOBCertHash.hashVal');
  });

  it('an IMPLICIT [0] hashAlg is unexpectedTag (the CMP module has EXPLICIT tags)', () => {
    const error = derErrorOf(() => decodeOOBCertHash(fixture('der/itav/invalid/oobCertHash-implicitHashAlg.der')));
    expect(error.kind).toBe('unexpectedTag');
    expect(error.path).toBe('OOBCertHash.hashAlg');
  });

  it('decode(encode(x)) deep-equals x (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            hashAlg: algIdArb,
            certId: fc.record({
              issuer: generalNameArb,
              serialNumber: fc.bigInt({ min: -(1n << 64n), max: 1n << 160n }),
            }),
            hashVal: fc.uint8Array({ maxLength: 64 }),
          },
          { requiredKeys: ['hashVal'] },
        ),
        (value) => {
          expect(decodeOOBCertHash(encodeOOBCertHash(value))).toEqual(value);
        },
      ),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
