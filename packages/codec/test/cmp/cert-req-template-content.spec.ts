import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCertReqTemplateContent, encodeCertReqTemplateContent, EncodeError, nameToString, oids } from '../../src/index.js';
import { derErrorOf, fixture, hex } from '../fixtures.js';
import { certReqTemplateContentArb } from '../arbitraries.js';

describe('CertReqTemplateContent', () => {
  it('golden: certTemplate with subject and extensions, keySpec with algId and rsaKeyLen', () => {
    const der = fixture('der/itav/certReqTemplateContent.der');
    const value = decodeCertReqTemplateContent(der);
    expect(Object.keys(value.certTemplate).sort()).toEqual(['extensions', 'subject']);
    expect(nameToString(value.certTemplate.subject ?? [])).toBe('/C=DE/O=Example Org/CN=device-0001');
    expect(value.certTemplate.extensions).toEqual([{ extnID: oids.id_ce_keyUsage, critical: true, extnValue: hex('03020780') }]);
    expect(value.keySpec).toEqual([
      {
        type: 'algId',
        value: { algorithm: oids.id_ecPublicKey, parameters: { der: hex('06082a8648ce3d030107') } },
      },
      { type: 'rsaKeyLen', value: 2048 },
    ]);
    expect(encodeCertReqTemplateContent(value)).toEqual(der);
  });

  it('golden: empty certTemplate, no keySpec', () => {
    const der = fixture('der/itav/certReqTemplateContent-noKeySpec.der');
    const value = decodeCertReqTemplateContent(der);
    expect(value).toEqual({ certTemplate: {} });
    expect(encodeCertReqTemplateContent(value)).toEqual(der);
  });

  it('a certTemplate that is not a SEQUENCE is unexpectedTag', () => {
    const error = derErrorOf(() => decodeCertReqTemplateContent(fixture('der/itav/invalid/certReqTemplateContent-noTemplate.der')));
    expect(error.kind).toBe('unexpectedTag');
    expect(error.path).toBe('CertReqTemplateContent.certTemplate');
  });

  it('an empty keySpec is sizeConstraint, and is not encoded', () => {
    const itav = fixture('der/itav/invalid/itav-certReqTemplate-emptyKeySpec.der');
    const error = derErrorOf(() => decodeCertReqTemplateContent(itav.subarray(12)));
    expect(error.kind).toBe('sizeConstraint');
    expect(error.path).toBe('CertReqTemplateContent.keySpec');
    expect(() => encodeCertReqTemplateContent({ certTemplate: {}, keySpec: [] })).toThrow(EncodeError);
  });

  it('decode(encode(x)) deep-equals x (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(certReqTemplateContentArb, (value) => {
        expect(decodeCertReqTemplateContent(encodeCertReqTemplateContent(value))).toEqual(value);
      }),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
