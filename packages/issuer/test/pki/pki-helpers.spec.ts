import { describe, expect, it } from 'vitest';
import { nameToString, oids, parseName } from '@cmpkit/codec';
import { defineProfile } from '@cmpkit/ca';
import { certificateSerialNumber, readCertificateFields } from '../../src/pki/certificate-fields.js';
import { keyGenParams, matchesAlgorithm } from '../../src/pki/key-algorithms.js';
import { oidDer } from '../../src/pki/oid-der.js';
import { parseSerial, serialFromBytes, serialHex } from '../../src/pki/serial-number.js';
import { makeCa, testClock } from '../support/issuer-setup.js';
import { ecKey, parseCertificate } from '../support/requests.js';

describe('serial numbers', () => {
  it.each([
    ['1a2b', 0x1a2bn],
    ['0x1A2B', 0x1a2bn],
    ['00:1a:2B', 0x1a2bn],
    [' 1a 2b ', 0x1a2bn],
  ])('reads %j', (text, value) => {
    expect(parseSerial(text)).toBe(value);
  });

  it('refuses what is not hex', () => {
    expect(() => parseSerial('12g4')).toThrow(/not a hexadecimal serial number/);
    expect(() => parseSerial('')).toThrow();
  });

  it('writes lowercase hex without leading zeros and reads INTEGER bytes', () => {
    expect(serialHex(0x00abcn)).toBe('abc');
    expect(serialFromBytes(Uint8Array.of(0x00, 0x80, 0x01))).toBe(0x8001n);
  });
});

describe('oidDer', () => {
  it.each([
    [oids.secp256r1, '06082a8648ce3d030107'],
    [oids.secp384r1, '06052b81040022'],
    [oids.id_Ed25519, '06032b6570'],
    ['2.999.3', '0603883703'],
  ])('encodes %s', (oid, hex) => {
    expect(Buffer.from(oidDer(oid)).toString('hex')).toBe(hex);
  });
});

describe('key algorithms', () => {
  it('maps profile algorithms to WebCrypto generation, or none', () => {
    expect(keyGenParams('ec:P-384')?.params).toEqual({ name: 'ECDSA', namedCurve: 'P-384' });
    expect(keyGenParams('rsa:3072+')?.params).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072 });
    expect(keyGenParams('x25519')?.usages).toEqual(['deriveBits']);
    expect(keyGenParams('rsa-pss:2048+')).toBeUndefined();
    expect(keyGenParams('ml-kem-768')).toEqual({ params: { name: 'ML-KEM-768' }, usages: ['encapsulateBits', 'decapsulateBits'] });
    expect(keyGenParams('ml-dsa-65')).toEqual({ params: { name: 'ML-DSA-65' }, usages: ['sign', 'verify'] });
  });

  it('matches a key AlgorithmIdentifier against a profile algorithm', async () => {
    const { spki } = await ecKey();
    expect(matchesAlgorithm('ec:P-256', spki)).toBe(true);
    expect(matchesAlgorithm('ec:P-384', spki)).toBe(false);
    expect(matchesAlgorithm('ed25519', spki)).toBe(false);
    expect(matchesAlgorithm('rsa:2048+', { algorithm: { algorithm: oids.rsaEncryption }, subjectPublicKey: new Uint8Array(0) })).toBe(true);
  });
});

describe('readCertificateFields', () => {
  it('reads serial, names, validity and key of a certificate', async () => {
    const clock = testClock();
    const { ca } = await makeCa(clock);
    const { spki } = await ecKey();
    const issued = await ca.issue({ template: { subject: parseName('/CN=x'), publicKey: spki }, profile: defineProfile({ name: 'x' }) });
    const fields = readCertificateFields(issued.certificate);
    expect(fields.serialNumber).toBe(issued.serialNumber);
    expect(certificateSerialNumber(issued.certificate)).toBe(issued.serialNumber);
    expect(() => certificateSerialNumber(issued.certificate.subarray(0, 10))).toThrow(/truncated|bad length/);
    expect(nameToString(fields.issuer)).toBe('/O=Test/CN=Test Issuing CA');
    expect(nameToString(fields.subject)).toBe('/CN=x');
    expect(fields.notBefore).toEqual(issued.notBefore);
    expect(fields.notAfter).toEqual(issued.notAfter);
    expect(fields.publicKey).toEqual(spki);
    expect(parseCertificate(issued.certificate).tbsCertificate.version).toBe(2);
  });
});
