import { describe, expect, it } from 'vitest';
import { bigintOf, bytesOf, dateOf, numberOf, optional } from '../src/index.js';

describe('column values of both drivers', () => {
  it('reads integers as better-sqlite3 (bigint) and pg (BIGINT as text, INTEGER as number) return them', () => {
    for (const value of [1_767_225_600_000n, '1767225600000', 1_767_225_600_000]) {
      expect(numberOf(value)).toBe(1_767_225_600_000);
      expect(dateOf(value)).toEqual(new Date('2026-01-01T00:00:00Z'));
    }
    expect(bigintOf('18446744073709551617')).toBe(18446744073709551617n);
    expect(bigintOf(18446744073709551617n)).toBe(18446744073709551617n);
    expect(bigintOf(7)).toBe(7n);
  });

  it('copies a BLOB out of the driver buffer it shares', () => {
    const pool = Buffer.from([9, 9, 1, 2, 3, 9]);
    const bytes = bytesOf(pool.subarray(2, 5));
    expect(bytes).toEqual(Uint8Array.of(1, 2, 3));
    expect(bytes.buffer.byteLength).toBe(3);
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
  });

  it('leaves an optional property out for NULL', () => {
    expect(optional('reason', null, String)).toEqual({});
    expect(optional('reason', undefined, String)).toEqual({});
    expect(optional('polls', 0n, numberOf)).toEqual({ polls: 0 });
  });
});
