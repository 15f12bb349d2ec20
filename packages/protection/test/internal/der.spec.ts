import { describe, expect, it } from 'vitest';
import { decodeOid, encodeTlv, readSingle, readSmallInteger } from '../../src/internal/der.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

describe('internal DER walker', () => {
  it.each([
    ['2a864886f70d01010b', '1.2.840.113549.1.1.11'],
    ['551d0e', '2.5.29.14'],
    ['0992268993f22c640119', '0.9.2342.19200300.100.1.25'],
    ['6983f09da7ebcfdee0c7a1a7b2c0948cc8f9d776', '2.25.329800735698586629295641978511506172918'],
    ['8837', '2.999'],
  ])('decodes OID %s', (content, oid) => {
    expect(decodeOid(hex(content), 'oid')).toBe(oid);
  });

  it.each([[''], ['2a80'], ['2a86'], ['8080']])('rejects malformed OID content %j', (content) => {
    expect(() => decodeOid(hex(content), 'oid')).toThrow(expect.objectContaining({ failInfo: ['badDataFormat'] }));
  });

  it('refuses non-DER lengths and trailing bytes', () => {
    expect(() => readSingle(hex('30810100'), 'x')).toThrow(/non-minimal length/);
    expect(() => readSingle(hex('3080'), 'x')).toThrow(/indefinite/);
    expect(() => readSingle(hex('30000000'), 'x')).toThrow(/trailing/);
    expect(() => readSingle(hex('3005'), 'x')).toThrow(/truncated/);
    expect(readSingle(encodeTlv(0x04, new Uint8Array(300)), 'x').contentStart).toBe(4);
  });

  it('reads small non-negative minimal INTEGERs', () => {
    const ok = hex('020200ff');
    expect(readSmallInteger(ok, readSingle(ok, 'i'), 'i')).toBe(255);
    const nonMinimal = hex('0202007f');
    expect(() => readSmallInteger(nonMinimal, readSingle(nonMinimal, 'i'), 'i')).toThrow(/non-minimal/);
    const negative = hex('020180');
    expect(() => readSmallInteger(negative, readSingle(negative, 'i'), 'i')).toThrow(/negative/);
  });
});
