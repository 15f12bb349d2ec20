import { describe, expect, it } from 'vitest';
import { encodeInteger, integerContents, readSequenceElements, readTlv, tlv, unsignedIntegerContents } from '../../src/internal/der.js';
import { checkSerialNumber, randomSerialNumber } from '../../src/internal/serial-number.js';
import { hex } from '../helpers.js';

/** A Crypto whose getRandomValues fills with a fixed byte pattern. */
function fixedRandom(fill: number): Crypto {
  return { getRandomValues: <T extends ArrayBufferView | null>(a: T): T => ((a as unknown as Uint8Array).fill(fill), a) } as Crypto;
}

describe('INTEGER encoding', () => {
  it.each([
    [0n, '00'],
    [1n, '01'],
    [127n, '7f'],
    [128n, '0080'],
    [255n, '00ff'],
    [256n, '0100'],
    [0x8000000000000000n, '008000000000000000'],
  ])('%s has minimal contents %s', (value, contents) => {
    expect(hex(integerContents(value))).toBe(contents);
  });

  it('makes unsigned magnitudes minimal and positive', () => {
    expect(hex(unsignedIntegerContents(Uint8Array.of(0, 0, 0x12)))).toBe('12');
    expect(hex(unsignedIntegerContents(Uint8Array.of(0, 0x92)))).toBe('0092');
    expect(hex(unsignedIntegerContents(Uint8Array.of(0xff, 1)))).toBe('00ff01');
    expect(hex(unsignedIntegerContents(Uint8Array.of(0, 0)))).toBe('00');
  });

  it('writes DER lengths in short and long form', () => {
    expect(hex(encodeInteger(42n))).toBe('02012a');
    expect(hex(tlv(0x04, new Uint8Array(200)).subarray(0, 3))).toBe('0481c8');
    expect(hex(tlv(0x04, new Uint8Array(300)).subarray(0, 4))).toBe('0482012c');
  });
});

describe('readTlv', () => {
  it('reads DER and refuses what is not', () => {
    expect(readTlv(Uint8Array.of(0x04, 0x02, 1, 2), 0)).toMatchObject({ tag: 4, end: 4 });
    expect(readTlv(Uint8Array.of(0x04, 0x81, 0x02, 1, 2), 0)).toBeNull(); // long form for a short length
    expect(readTlv(Uint8Array.of(0x04, 0x80, 0, 0), 0)).toBeNull(); // indefinite
    expect(readTlv(Uint8Array.of(0x04, 0x03, 1, 2), 0)).toBeNull(); // truncated
    expect(readTlv(Uint8Array.of(0x1f, 0x01, 0), 0)).toBeNull(); // high tag number
    expect(readSequenceElements(Uint8Array.of(0x30, 0x03, 0x82, 0x01, 0x61))!.map((e) => e.tag)).toEqual([0x82]);
    expect(readSequenceElements(Uint8Array.of(0x30, 0x03, 0x82, 0x01, 0x61, 0x00))).toBeNull(); // trailing byte
    expect(readSequenceElements(Uint8Array.of(0x31, 0x00))).toBeNull();
  });
});

describe('serial numbers', () => {
  it('are 16 octets and positive whatever the random bytes', () => {
    for (const fill of [0x00, 0xff, 0x80, 0x3f]) {
      const serial = randomSerialNumber(fixedRandom(fill));
      const contents = integerContents(serial);
      expect(contents.length).toBe(16);
      expect(contents[0]! & 0x80).toBe(0);
      expect(contents[0]! & 0x40).toBe(0x40);
    }
  });

  it('refuses non-positive and over-long values', () => {
    expect(checkSerialNumber((1n << 159n) - 1n)).toBe((1n << 159n) - 1n);
    expect(() => checkSerialNumber(0n)).toThrow(/positive/);
    expect(() => checkSerialNumber(-5n)).toThrow(/positive/);
    expect(() => checkSerialNumber(1n << 159n)).toThrow(/20 octets/);
  });
});
