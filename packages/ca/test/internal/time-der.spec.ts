import { describe, expect, it } from 'vitest';
import { timeDer } from '../../src/internal/time-der.js';

const text = (der: Uint8Array) => String.fromCharCode(...der.subarray(2));

describe('timeDer', () => {
  it('writes UTCTime through 2049', () => {
    const der = timeDer(new Date(Date.UTC(2049, 11, 31, 23, 59, 59)));
    expect(der[0]).toBe(0x17);
    expect(der[1]).toBe(13);
    expect(text(der)).toBe('491231235959Z');
  });

  it('writes GeneralizedTime from 2050 and before 1950', () => {
    const later = timeDer(new Date(Date.UTC(2050, 0, 1, 0, 0, 0)));
    expect(later[0]).toBe(0x18);
    expect(text(later)).toBe('20500101000000Z');
    expect(text(timeDer(new Date(Date.UTC(1949, 5, 7, 8, 9, 10))))).toBe('19490607080910Z');
  });
});
