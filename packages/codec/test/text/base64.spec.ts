import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, DerError, encodeBase64 } from '../../src/index.js';

describe('base64 (RFC 4648 section 4)', () => {
  it('encodes as Node does and decodes back (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual(bytes);
        expect(decodeBase64(text.replace(/=+$/, ''))).toEqual(bytes);
      }),
      { seed: 15, numRuns: 300 },
    );
  });

  it('ignores whitespace anywhere, padding is optional', () => {
    expect(decodeBase64(' AQID\nBA==\r\n')).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(decodeBase64('AQ ID BA')).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(decodeBase64('')).toEqual(new Uint8Array(0));
  });

  it.each([
    ['A', 'base64 text has a bad length'],
    ['AQI*', "'*' is not a base64 character"],
    ['AQ=D', "'=' is not a base64 character"],
    ['AQIé', "'é' is not a base64 character"],
  ])('refuses %j: %s', (text, message) => {
    let error: unknown;
    try {
      decodeBase64(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DerError);
    expect((error as DerError).kind).toBe('invalidValue');
    expect((error as Error).message).toContain(message);
  });
});
