import { describe, expect, it } from 'vitest';
import type { NewCertificate } from '../../src/store/certificate-repository.js';
import { openServerStore } from '../../src/store/server-store.js';
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
  it('stores a certificate as issued and reads every field back', () => {
    const clock = fakeClock();
    const { certificates } = openServerStore(':memory:', clock);
    certificates.insert(certificate('1a', clock()));
    expect(certificates.get('1a')).toEqual({ ...certificate('1a', clock()), status: 'issued' });
    expect(certificates.get('ff')).toBeUndefined();
  });

  it('refuses a duplicate serial number', () => {
    const { certificates } = openServerStore(':memory:', fakeClock());
    certificates.insert(certificate('1a', new Date(0)));
    expect(() => certificates.insert(certificate('1a', new Date(0)))).toThrow(/UNIQUE/);
  });

  it('confirms only issued certificates', () => {
    const { certificates } = openServerStore(':memory:', fakeClock());
    certificates.insert(certificate('1a', new Date(0)));
    expect(certificates.confirm('1a')).toBe(true);
    expect(certificates.get('1a')?.status).toBe('confirmed');
    expect(certificates.confirm('1a')).toBe(false);
    expect(certificates.confirm('ff')).toBe(false);
  });

  it('revokes once, with date and reason, and tells unknown and already revoked apart', () => {
    const clock = fakeClock();
    const { certificates } = openServerStore(':memory:', clock);
    certificates.insert(certificate('1a', clock()));
    expect(certificates.revoke('1a', 1, clock())).toBe('revoked');
    expect(certificates.get('1a')).toMatchObject({ status: 'revoked', revokedAt: clock(), revocationReason: 1 });
    expect(certificates.revoke('1a', 4, clock())).toBe('alreadyRevoked');
    expect(certificates.get('1a')?.revocationReason).toBe(1);
    expect(certificates.revoke('ff', 1, clock())).toBe('unknown');
  });

  it('lists revoked certificates oldest revocation first', () => {
    const clock = fakeClock();
    const { certificates } = openServerStore(':memory:', clock);
    for (const s of ['1', '2', '3']) certificates.insert(certificate(s, clock()));
    certificates.revoke('3', 0, clock());
    clock.advance(1000);
    certificates.revoke('1', 5, clock());
    expect(certificates.revoked()).toEqual([
      { serial: '3', revokedAt: new Date(clock().getTime() - 1000), revocationReason: 0 },
      { serial: '1', revokedAt: clock(), revocationReason: 5 },
    ]);
  });

  it('lists newest first, by status and with a limit', () => {
    const clock = fakeClock();
    const { certificates } = openServerStore(':memory:', clock);
    for (const s of ['1', '2', '3']) {
      certificates.insert(certificate(s, clock()));
      clock.advance(1000);
    }
    certificates.confirm('2');
    expect(certificates.list().map((c) => c.serial)).toEqual(['3', '2', '1']);
    expect(certificates.list({ status: 'issued' }).map((c) => c.serial)).toEqual(['3', '1']);
    expect(certificates.list({ limit: 1 }).map((c) => c.serial)).toEqual(['3']);
  });
});
