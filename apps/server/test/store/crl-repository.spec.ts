import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteServerStore } from '../../src/store/server-store.js';
import { fakeClock, tempDir } from '../helpers.js';

describe('sqliteCrlRepository', () => {
  it('counts cRLNumbers from 1, across a reopen', async () => {
    const file = join(tempDir(), 'db.sqlite');
    const first = await openSqliteServerStore(file, fakeClock());
    expect((await first.crls.reserve()).crlNumber).toBe(1n);
    expect((await first.crls.reserve()).crlNumber).toBe(2n);
    await first.close();
    const second = await openSqliteServerStore(file, fakeClock());
    expect((await second.crls.reserve()).crlNumber).toBe(3n);
    await second.close();
  });

  it('reserves a number together with the revoked certificates', async () => {
    const clock = fakeClock();
    const { certificates, crls } = await openSqliteServerStore(':memory:', clock);
    const certificate = (serial: string) => ({
      serial,
      issuer: '/CN=CA',
      subject: `/CN=${serial}`,
      der: Uint8Array.of(1),
      notBefore: new Date(0),
      notAfter: new Date(1000),
      profile: 'p',
      requester: 'mac:demo',
      issuedAt: new Date(0),
    });
    await certificates.insert(certificate('0a'));
    await certificates.insert(certificate('0b'));
    expect(await crls.reserve()).toEqual({ crlNumber: 1n, revoked: [] });
    await certificates.revoke('0b', 1, new Date(5000));
    expect(await crls.reserve()).toEqual({ crlNumber: 2n, revoked: [{ serial: '0b', revokedAt: new Date(5000), revocationReason: 1 }] });
  });

  it('returns the CRL with the highest number as current', async () => {
    const { crls } = await openSqliteServerStore(':memory:', fakeClock());
    expect(await crls.current()).toBeUndefined();
    const crl = (n: bigint) => ({
      crlNumber: n,
      thisUpdate: new Date(Number(n) * 1000),
      nextUpdate: new Date(Number(n) * 2000),
      der: Uint8Array.of(Number(n)),
    });
    await crls.store(crl(2n));
    await crls.store(crl(1n)); // signed earlier, stored later
    expect(await crls.current()).toEqual(crl(2n));
  });
});
