// RFC 9483 section 3.4 (transactions) and the certificate confirmation rules of section 4.1 on the
// wire: transactionID reuse, follow-ups from another requester or with another protection, and the
// form of certConf. docs/CONFORMANCE.md names these tests.
import { oids, type CertStatus, type PKIBody } from '@cmpkit/codec';
import type { SignatureCredential } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, certConfBody, genmBody, issuedCertificate } from '../support/bodies.js';
import { createEnv, followUp, openIr, type Env } from '../support/env.js';
import { createTestPki, newKeyPair, type TestPki } from '../support/pki.js';
import { buildRequest, exchangeRaw, expectBoundTo, expectErrorBody, fresh, PBM } from '../support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

/** An ir answered and confirmed: its transactionID is finished. */
async function confirmedIr(e: Env) {
  const open = await openIr(e);
  const conf = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open) });
  expect(conf.response.body.type).toBe('pkiconf');
  return { ...open, conf };
}

/** A certConf body with its one CertStatus changed. */
async function certConfWith(certificate: Uint8Array, change: (status: CertStatus) => CertStatus[]): Promise<PKIBody> {
  const body = (await certConfBody(certificate)) as Extract<PKIBody, { type: 'certConf' }>;
  return { type: 'certConf', content: change(body.content[0]!) };
}

describe('RFC 9483 3.4: transactions', () => {
  it('a new ir with the transactionID of a finished transaction: error transactionIdInUse, nothing issued', async () => {
    const e = createEnv(pki);
    const done = await confirmedIr(e);
    const { response } = await e.ask({
      body: await certBody('ir', await newKeyPair()),
      transactionID: done.request.header.transactionID!,
    });
    expectErrorBody(response, ['transactionIdInUse']);
    expect(e.issuer.requests).toHaveLength(1);
  });

  it('a genm with the transactionID of a finished ir transaction: error transactionIdInUse', async () => {
    const e = createEnv(pki);
    const done = await confirmedIr(e);
    expectErrorBody((await e.ask({ body: genmBody(), transactionID: done.request.header.transactionID! })).response, [
      'transactionIdInUse',
    ]);
  });

  it('a follow-up without senderNonce: error badSenderNonce', async () => {
    const e = createEnv(pki);
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open), senderNonce: null });
    expectErrorBody(response, ['badSenderNonce']);
  });
});

describe('RFC 9483 4.1: certConf', () => {
  it('two CertStatus for the one certificate: error badRequest; the certificate is revoked', async () => {
    const e = createEnv(pki);
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certConfWith(open.certificate, (s) => [s, s]), ...followUp(open) });
    expectErrorBody(response, ['badRequest']);
    expect(e.issuer.entryOf(open.certificate)?.revoked).toBeDefined();
  });

  it('a certReqId other than the one issued (-1): error badRequest', async () => {
    const e = createEnv(pki);
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certConfBody(open.certificate, { certReqId: -1 }), ...followUp(open) });
    expectErrorBody(response, ['badRequest']);
  });

  it('status accepted with a failInfo: error badRequest; status waiting: error badRequest', async () => {
    for (const statusInfo of [{ status: 0, failInfo: ['badRequest' as const] }, { status: 3 }]) {
      const e = createEnv(pki);
      const open = await openIr(e);
      const { response } = await e.ask({ body: await certConfWith(open.certificate, (s) => [{ ...s, statusInfo }]), ...followUp(open) });
      expectErrorBody(response, ['badRequest']);
      expect(e.issuer.entryOf(open.certificate)?.confirmed).toBe(false);
    }
  });

  it('a hashAlg with pvno 2: error badRequest; with pvno 3 (cmp2021): pkiconf', async () => {
    const e = createEnv(pki);
    const sha384 = async (der: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-384', new Uint8Array(der)));
    for (const pvno of [2, 3]) {
      const open = await openIr(e);
      const body = await certConfWith(open.certificate, (s) => [{ ...s, hashAlg: { algorithm: oids.id_sha384 } }]);
      const status = (body as Extract<PKIBody, { type: 'certConf' }>).content[0]!;
      status.certHash = await sha384(open.certificate);
      const { response } = await e.ask({ body, pvno, ...followUp(open) });
      if (pvno === 2) expectErrorBody(response, ['badRequest']);
      else expect(response.body.type).toBe('pkiconf');
    }
  });

  it('a certConf signed with the certificate the transaction just issued: error wrongAuthority', async () => {
    const e = createEnv(pki);
    const keyPair = await newKeyPair();
    const ir = await e.ask({ body: await certBody('ir', keyPair), protection: pki.other.credential });
    const certificate = issuedCertificate(ir.response, 'ip');
    const newCredential: SignatureCredential = { privateKey: keyPair.privateKey, certificate, chain: [pki.ca.certificate] };
    const { response } = await e.ask({ body: await certConfBody(certificate), ...followUp(ir), protection: newCredential });
    expectErrorBody(response, ['wrongAuthority']);
    expect(e.issuer.entryOf(certificate)?.confirmed).toBeUndefined();
  });

  it('an ir signed, its certConf MAC-protected: error wrongIntegrity', async () => {
    const e = createEnv(pki);
    const open = await openIr(e, pki.other.credential);
    const { response } = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open) });
    expectErrorBody(response, ['wrongIntegrity']);
  });

  it('an ir with PasswordBasedMac, its certConf with PBMAC1 (same secret): error badMessageCheck', async () => {
    const e = createEnv(pki);
    const open = await openIr(e, PBM);
    const { response } = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open) });
    expectErrorBody(response, ['badMessageCheck']);
  });

  it('an unprotected certConf: error badMessageCheck', async () => {
    const e = createEnv(pki);
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open), protection: 'none' });
    expectErrorBody(response, ['badMessageCheck']);
  });

  it('the same certConf again, or a new one, after pkiconf: error certConfirmed', async () => {
    const e = createEnv(pki);
    const open = await openIr(e);
    const { message, bytes } = await buildRequest({ body: await certConfBody(open.certificate), ...followUp(open), now: clock.date() });
    expect((await exchangeRaw(e.server, bytes)).body.type).toBe('pkiconf');
    const again = await exchangeRaw(e.server, bytes);
    expectBoundTo(again, message);
    expectErrorBody(again, ['certConfirmed']);
    const fresher = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open), senderNonce: fresh() });
    expectErrorBody(fresher.response, ['certConfirmed']);
  });
});
