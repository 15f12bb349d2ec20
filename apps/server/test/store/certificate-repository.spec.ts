import { describe, expect, it } from 'vitest';
import type { NewCertificate } from '../../src/store/certificate-repository.js';
import { openSqliteServerStore } from '../../src/store/server-store.js';
import { fakeClock } from '../helpers.js';

function certificate(serial: string, issuedAt: Date): NewCertificate {
  return {
    serial,
    issuer: '/CN=Issuing CA',
    subject: `/CN=${serial}`,
    der: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01),
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    profile: 'device',
    requester: 'mac:demo',
    transactionId: 'abcd',
    issuedAt,
  };
}

describe('sqliteCertificateRepository', () => {
  it('stores a certificate as issued and reads every field back', async () => {
    const clock = fakeClock();
    const { certificates } = await openSqliteServerStore(':memory:', clock);
    await certificates.insert(certificate('1a', clock()));
    expect(await certificates.get('1a')).toEqual({ ...certificate('1a', clock()), status: 'issued' });
    expect(await certificates.get('ff')).toBeUndefined();
  });

  it('refuses a duplicate serial number', async () => {
    const { certificates } = await openSqliteServerStore(':memory:', fakeClock());
    await certificates.insert(certificate('1a', new Date(0)));
    await expect(certificates.insert(certificate('1a', new Date(0)))).rejects.toThrow(/UNIQUE/);
  });

  it('confirms only issued certificates', async () => {
    const { certificates } = await openSqliteServerStore(':memory:', fakeClock());
    await certificates.insert(certificate('1a', new Date(0)));
    expect(await certificates.confirm('1a')).toBe(true);
    expect((await certificates.get('1a'))?.status).toBe('confirmed');
    expect(await certificates.confirm('1a')).toBe(false);
    expect(await certificates.confirm('ff')).toBe(false);
  });

  it('revokes once, with date and reason, and tells unknown and already revoked apart', async () => {
    const clock = fakeClock();
    const { certificates } = await openSqliteServerStore(':memory:', clock);
    await certificates.insert(certificate('1a', clock()));
    expect(await certificates.revoke('1a', 1, clock())).toBe('revoked');
    expect(await certificates.get('1a')).toMatchObject({ status: 'revoked', revokedAt: clock(), revocationReason: 1 });
    expect(await certificates.revoke('1a', 4, clock())).toBe('alreadyRevoked');
    expect((await certificates.get('1a'))?.revocationReason).toBe(1);
    expect(await certificates.revoke('ff', 1, clock())).toBe('unknown');
  });

  it('lists revoked certificates oldest revocation first', async () => {
    const clock = fakeClock();
    const { certificates } = await openSqliteServerStore(':memory:', clock);
    for (const s of ['1', '2', '3']) (await certificates.insert(certificate(s, clock())));
    await certificates.revoke('3', 0, clock());
    clock.advance(1000);
    await certificates.revoke('1', 5, clock());
    expect(await certificates.revoked()).toEqual([
      { serial: '3', revokedAt: new Date(clock().getTime() - 1000), revocationReason: 0 },
      { serial: '1', revokedAt: clock(), revocationReason: 5 },
    ]);
  });

  it('lists newest first, by status and with a limit', async () => {
    const clock = fakeClock();
    const { certificates } = await openSqliteServerStore(':memory:', clock);
    for (const s of ['1', '2', '3']) {
      await certificates.insert(certificate(s, clock()));
      clock.advance(1000);
    }
    await certificates.confirm('2');
    expect((await certificates.list()).map((c) => c.serial)).toEqual(['3', '2', '1']);
    expect((await certificates.list({ status: 'issued' })).map((c) => c.serial)).toEqual(['3', '1']);
    expect((await certificates.list({ limit: 1 })).map((c) => c.serial)).toEqual(['3']);
  });
});
