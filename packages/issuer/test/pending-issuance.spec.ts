import { describe, expect, it } from 'vitest';
import { RequestRejectedError, type CertificationResult } from '@cmpkit/core';
import { issuerSetup } from './support/issuer-setup.js';
import { certRequest, ecKey, serialOf } from './support/requests.js';

function ticketOf(result: CertificationResult): string {
  if (result.status !== 'pending') throw new Error(`expected pending, got ${result.status}`);
  return result.ticket;
}

describe('createCaIssuer: approval', () => {
  it('waits for the operator, then issues at the next poll, and answers a repeated poll with the same certificate', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const first = await issuer.certify(certRequest(spki, { profile: 'approval', subject: '/CN=needs-ok' }));
    expect(first).toEqual({ status: 'pending', ticket: expect.any(String), checkAfter: 3, reason: 'waiting for approval by an operator' });
    const ticket = ticketOf(first);
    const row = (await store.pending.get(Number(ticket)))!;
    expect(row).toMatchObject({ kind: 'approval', status: 'pending', profile: 'approval', subject: '/CN=needs-ok', requester: 'mac:demo' });
    expect(await store.certificates.list()).toEqual([]);

    expect((await issuer.poll(ticket, certRequest(spki).requester)).status).toBe('pending');
    expect(await store.pending.approve(row.id, new Date())).toBe(true);
    const result = await issuer.poll(ticket, certRequest(spki).requester);
    if (result.status !== 'issued') throw new Error('not issued');
    const serial = serialOf(result.certificate);
    expect(await store.certificates.get(serial)).toMatchObject({ status: 'issued', profile: 'approval', subject: '/CN=needs-ok' });
    expect(await store.pending.get(row.id)).toMatchObject({ status: 'issued', serial, polls: 2 });
    expect(result.caPubs).toHaveLength(1);

    const again = await issuer.poll(ticket, certRequest(spki).requester);
    expect(again.status === 'issued' && again.certificate).toEqual(result.certificate);
    expect(await store.certificates.list()).toHaveLength(1);
  });

  it.each([
    ['notAuthorized', 'not in this department'],
    ['badCertTemplate', 'subject must name the site'],
  ])('answers a rejection with %s and the operator reason', async (failInfo, reason) => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const ticket = ticketOf(await issuer.certify(certRequest(spki, { profile: 'approval' })));
    await store.pending.reject(Number(ticket), new Date(), failInfo, reason);
    const error = await issuer.poll(ticket, certRequest(spki).requester).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestRejectedError);
    expect((error as RequestRejectedError).failInfo).toEqual([failInfo]);
    expect((error as RequestRejectedError).message).toBe(reason);
  });

  it('gives a default text for a rejection without reason', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const ticket = ticketOf(await issuer.certify(certRequest(spki, { profile: 'approval' })));
    await store.pending.reject(Number(ticket), new Date(), 'notAuthorized');
    await expect(issuer.poll(ticket, certRequest(spki).requester)).rejects.toThrow('the request was rejected by an operator');
  });

  it('refuses an unknown ticket with badRequest', async () => {
    const { issuer } = await issuerSetup();
    for (const ticket of ['999', 'abc', '']) {
      const error = (await issuer.poll(ticket, certRequest(undefined).requester).catch((e: unknown) => e)) as RequestRejectedError;
      expect(error.failInfo).toEqual(['badRequest']);
    }
  });

  it('survives a restart: a new issuer on the same store issues an approved request', async () => {
    const setup = await issuerSetup();
    const { spki } = await ecKey();
    const ticket = ticketOf(await setup.issuer.certify(certRequest(spki, { profile: 'approval', subject: '/CN=after-restart' })));
    await setup.store.pending.approve(Number(ticket), new Date());
    const result = await setup.another().poll(ticket, certRequest(spki).requester);
    expect(result.status).toBe('issued');
    expect((await setup.store.certificates.list())[0]?.subject).toBe('/CN=after-restart');
  });

  it('answers polls on two server instances at once with one certificate, revoking the duplicate (superseded)', async () => {
    const setup = await issuerSetup();
    const { spki } = await ecKey();
    const ticket = ticketOf(await setup.issuer.certify(certRequest(spki, { profile: 'approval' })));
    await setup.store.pending.approve(Number(ticket), new Date());
    const requester = certRequest(spki).requester;
    const [a, b] = await Promise.all([setup.issuer.poll(ticket, requester), setup.another().poll(ticket, requester)]);
    expect(a.status === 'issued' && b.status === 'issued' && a.certificate).toEqual(b.status === 'issued' && b.certificate);
    const recorded = (await setup.store.pending.get(Number(ticket)))!.serial;
    expect(a.status === 'issued' && serialOf(a.certificate)).toBe(recorded);
    const all = await setup.store.certificates.list();
    expect(all).toHaveLength(2);
    expect(all.find((c) => c.serial !== recorded)).toMatchObject({ status: 'revoked', revocationReason: 4 });
  });
});

describe('createCaIssuer: issueDelay', () => {
  it('issues at the second poll for `delayed` (polls 2)', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const first = await issuer.certify(certRequest(spki, { profile: 'delayed' }));
    expect(first).toMatchObject({ status: 'pending', checkAfter: 3, reason: 'issuance is delayed' });
    const ticket = ticketOf(first);
    expect((await store.pending.get(Number(ticket)))?.kind).toBe('delay');
    expect((await issuer.poll(ticket, certRequest(spki).requester)).status).toBe('pending');
    expect(await store.certificates.list()).toEqual([]);
    expect((await issuer.poll(ticket, certRequest(spki).requester)).status).toBe('issued');
    expect(await store.certificates.list()).toHaveLength(1);
  });

  it('issues after the delay in seconds on the injected clock, telling the requester how long to wait', async () => {
    const { issuer, clock } = await issuerSetup();
    const { spki } = await ecKey();
    const first = await issuer.certify(certRequest(spki, { profile: 'slow' }));
    expect(first).toMatchObject({ status: 'pending', checkAfter: 10 });
    const ticket = ticketOf(first);
    clock.advance(4_500);
    expect(await issuer.poll(ticket, certRequest(spki).requester)).toMatchObject({ status: 'pending', checkAfter: 6 });
    clock.advance(5_500);
    expect((await issuer.poll(ticket, certRequest(spki).requester)).status).toBe('issued');
  });

  it('does not issue twice for concurrent polls', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const ticket = ticketOf(await issuer.certify(certRequest(spki, { profile: 'approval' })));
    await store.pending.approve(Number(ticket), new Date());
    const requester = certRequest(spki).requester;
    const [a, b] = await Promise.all([issuer.poll(ticket, requester), issuer.poll(ticket, requester)]);
    expect(a.status === 'issued' && b.status === 'issued' && a.certificate).toEqual(b.status === 'issued' && b.certificate);
    expect(await store.certificates.list()).toHaveLength(1);
  });
});
