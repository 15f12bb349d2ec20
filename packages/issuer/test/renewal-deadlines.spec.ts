// Renewal deadlines (`renew-request`): at the deadline the issuer revokes a certificate whose
// holder did not renew it; a confirmed key update (kur) of it before the deadline keeps it, one
// still awaiting its certConf postpones the decision. Fake clock, in-memory store.
import { describe, expect, it } from 'vitest';
import type { CertificationResult } from '@cmpkit/core';
import { certRequest, crlContent, ecKey, serialOf } from './support/requests.js';
import { issuerSetup } from './support/issuer-setup.js';

function certificateOf(result: CertificationResult): Uint8Array {
  if (result.status !== 'issued') throw new Error('expected an issued certificate');
  return result.certificate;
}

describe('renewal deadlines', () => {
  it('revokes at the deadline what was not renewed, keeps what was, and waits for a renewal awaiting confirmation', async () => {
    const { issuer, store, clock } = await issuerSetup();
    const issue = async (subject: string, extra: Parameters<typeof certRequest>[1] = {}) => {
      const certificate = certificateOf(await issuer.certify(certRequest((await ecKey()).spki, { subject, ...extra })));
      return certificate;
    };
    const lapsed = await issue('/CN=lapsed');
    const renewed = await issue('/CN=renewed');
    const renewing = await issue('/CN=renewing');
    for (const c of [lapsed, renewed, renewing]) await issuer.confirm(c, true);

    const successor = await issue('/CN=renewed', { bodyType: 'kur', oldCertificate: renewed });
    await issuer.confirm(successor, true);
    const unconfirmed = await issue('/CN=renewing', { bodyType: 'kur', oldCertificate: renewing });
    expect((await store.certificates.get(serialOf(successor)))?.replaces).toBe(serialOf(renewed));

    const deadline = new Date(clock().getTime() + 60_000);
    for (const c of [lapsed, renewed, renewing]) await store.renewalDeadlines.set(serialOf(c), deadline, clock());
    expect(await issuer.enforceRenewalDeadlines()).toEqual({ revoked: [], renewed: [] });

    clock.advance(60_000);
    const first = await issuer.enforceRenewalDeadlines();
    expect(first.revoked.map((c) => c.serial)).toEqual([serialOf(lapsed)]);
    expect(first.renewed).toEqual([serialOf(renewed)]);
    expect(await store.certificates.get(serialOf(lapsed))).toMatchObject({ status: 'revoked', revocationReason: 5, revokedAt: clock() });
    expect(crlContent((await store.crls.current())!.der).entries.get(serialOf(lapsed))).toBe(5);
    expect((await store.certificates.get(serialOf(renewed)))?.status).toBe('confirmed');
    expect(await store.renewalDeadlines.get(serialOf(renewed))).toBeUndefined();
    expect(await store.renewalDeadlines.get(serialOf(renewing))).toBeDefined(); // its kur awaits certConf

    // The key update is never confirmed: it is revoked, and then so is the certificate it was to replace.
    await issuer.confirm(unconfirmed, false, 'confirmWaitTime expired');
    clock.advance(1000);
    const second = await issuer.enforceRenewalDeadlines();
    expect(second.revoked.map((c) => c.serial)).toEqual([serialOf(renewing)]);
    expect(await store.renewalDeadlines.due(clock())).toEqual([]);
  });

  it('a certificate revoked before its deadline is only taken off the list', async () => {
    const { issuer, store, clock } = await issuerSetup();
    const certificate = certificateOf(await issuer.certify(certRequest((await ecKey()).spki, { subject: '/CN=gone' })));
    await issuer.revokeSerial(BigInt(`0x${serialOf(certificate)}`), 1);
    await store.renewalDeadlines.set(serialOf(certificate), clock(), clock());
    expect(await issuer.enforceRenewalDeadlines()).toEqual({ revoked: [], renewed: [] });
    expect(await store.renewalDeadlines.get(serialOf(certificate))).toBeUndefined();
    expect((await store.certificates.get(serialOf(certificate)))?.revocationReason).toBe(1);
  });
});
