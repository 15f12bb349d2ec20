import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openServerStore } from '../../src/store/server-store.js';
import { fakeClock, tempDir } from '../helpers.js';

describe('sqliteCrlRepository', () => {
  it('counts cRLNumbers from 1, across a reopen', () => {
    const file = join(tempDir(), 'db.sqlite');
    const first = openServerStore(file, fakeClock());
    expect(first.crls.nextNumber()).toBe(1n);
    expect(first.crls.nextNumber()).toBe(2n);
    first.close();
    const second = openServerStore(file, fakeClock());
    expect(second.crls.nextNumber()).toBe(3n);
    second.close();
  });

  it('returns the CRL with the highest number as current', () => {
    const { crls } = openServerStore(':memory:', fakeClock());
    expect(crls.current()).toBeUndefined();
    const crl = (n: bigint) => ({
      crlNumber: n,
      thisUpdate: new Date(Number(n) * 1000),
      nextUpdate: new Date(Number(n) * 2000),
      der: Uint8Array.of(Number(n)),
    });
    crls.store(crl(2n));
    crls.store(crl(1n)); // signed earlier, stored later
    expect(crls.current()).toEqual(crl(2n));
  });
});
