// RFC 9483 section 5 at the CA: nested messages (added protection 5.2.2.1, batching 5.2.2.2),
// raVerified and origPKIMessage (5.2.3.2), on the wire. docs/CONFORMANCE.md names these tests.
import { decodePKIMessage, type DecodedPKIMessage, type PKIBody } from '@cmpkit/codec';
import type { MacCredential } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, certConfBody, expectCertRejection, genmBody, issuedCertificate } from '../support/bodies.js';
import { createEnv, followUp, type Env } from '../support/env.js';
import { createTestPki, newKeyPair, type TestPki } from '../support/pki.js';
import { buildRequest, expectBoundTo, expectErrorBody, fresh, MAC, verifyResponse, type RequestInit } from '../support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

/** A request of an end entity, as the RA received it (decoded, with its exact bytes). */
async function deviceRequest(init: Omit<RequestInit, 'now'>): Promise<DecodedPKIMessage> {
  return decodePKIMessage((await buildRequest({ ...init, now: clock.date() })).bytes);
}

/** The RA's nested message around `inner`: signed by the RA, its header as given. */
function nested(inner: DecodedPKIMessage[], header: { transactionID?: Uint8Array; senderNonce?: Uint8Array } = {}) {
  return { body: { type: 'nested', content: inner } as PKIBody, protection: pki.ra.credential, ...header };
}

/** Added protection (RFC 9483 5.2.2.1): the nested header copies transactionID and senderNonce. */
function addedProtection(inner: DecodedPKIMessage) {
  return nested([inner], { transactionID: inner.header.transactionID!, senderNonce: inner.header.senderNonce! });
}

describe('RFC 9483 5.2.2.1: adding protection to a request', () => {
  it('the CA answers the inner message itself (MAC-protected for the device), and its copied senderNonce is no replay', async () => {
    const e = createEnv(pki);
    const inner = await deviceRequest({ body: await certBody('ir', await newKeyPair()) });
    const { response } = await e.ask(addedProtection(inner));
    const certificate = issuedCertificate(response, 'ip');
    expectBoundTo(response, inner);
    expect(await verifyResponse(response, pki)).toBe('mac');
    // The device continues its transaction directly.
    const conf = await e.ask({ body: await certConfBody(certificate), ...followUp({ request: inner, response }) });
    expect(conf.response.body.type).toBe('pkiconf');
  });

  it('a signed inner request: the inner answer is signed by the CA', async () => {
    const e = createEnv(pki);
    const inner = await deviceRequest({ body: await certBody('cr', await newKeyPair()), protection: pki.other.credential });
    const { response } = await e.ask(addedProtection(inner));
    issuedCertificate(response, 'cp');
    expect(await verifyResponse(response, pki)).toBe('signature');
  });

  it('the transactionID copied but not the senderNonce: error badSenderNonce; the senderNonce but not the transactionID: error badRequest', async () => {
    const e = createEnv(pki);
    const inner = await deviceRequest({ body: genmBody() });
    const noNonce = await e.ask(nested([inner], { transactionID: inner.header.transactionID!, senderNonce: fresh() }));
    expectErrorBody(noNonce.response, ['badSenderNonce']);
    const noId = await e.ask(nested([inner], { transactionID: fresh(), senderNonce: inner.header.senderNonce! }));
    expectErrorBody(noId.response, ['badRequest']);
  });

  it('a MAC-protected nested message: error wrongIntegrity; one signed without id-kp-cmcRA: error notAuthorized', async () => {
    const e = createEnv(pki);
    const inner = await deviceRequest({ body: genmBody() });
    const mac = await e.ask({ ...addedProtection(inner), protection: MAC });
    expectErrorBody(mac.response, ['wrongIntegrity']);
    const other = await e.ask({ ...addedProtection(await deviceRequest({ body: genmBody() })), protection: pki.other.credential });
    expectErrorBody(other.response, ['notAuthorized']);
  });

  it('an inner message whose own protection fails: its answer, error badMessageCheck', async () => {
    const e = createEnv(pki);
    const inner = await deviceRequest({ body: genmBody(), protection: { secret: 'not the secret', senderKID: '3078' } });
    const { response } = await e.ask(addedProtection(inner));
    expectErrorBody(response, ['badMessageCheck']);
  });
});

describe('RFC 9483 5.2.2.2: batching', () => {
  it('a batch of requests of different end entities: a nested answer with each inner response, in order', async () => {
    const e = createEnv(pki);
    const inner = [
      await deviceRequest({ body: await certBody('ir', await newKeyPair()) }),
      await deviceRequest({ body: genmBody(), protection: pki.other.credential }),
    ];
    const { response } = await e.ask(nested(inner));
    expect(response.body.type).toBe('nested');
    const answers = response.body.type === 'nested' ? (response.body.content as DecodedPKIMessage[]) : [];
    expect(answers.map((a) => a.body.type)).toEqual(['ip', 'genp']);
    answers.forEach((a, i) => expectBoundTo(a, inner[i]!));
  });

  it('two inner messages with one transactionID: error transactionIdInUse; with one senderNonce: error badSenderNonce; nothing processed', async () => {
    const e = createEnv(pki);
    const transactionID = fresh();
    const sameId = [await deviceRequest({ body: genmBody(), transactionID }), await deviceRequest({ body: genmBody(), transactionID })];
    expectErrorBody((await e.ask(nested(sameId))).response, ['transactionIdInUse']);
    const senderNonce = fresh();
    const sameNonce = [await deviceRequest({ body: genmBody(), senderNonce }), await deviceRequest({ body: genmBody(), senderNonce })];
    expectErrorBody((await e.ask(nested(sameNonce))).response, ['badSenderNonce']);
    // The inner messages were never processed: the first can still be sent on its own.
    expect((await e.askMessage(sameId[0]!)).response.body.type).toBe('genp');
  });
});

describe('RFC 9483 5.2.3.2: raVerified and origPKIMessage', () => {
  it('a kur with raVerified, even from an authorised RA: kup rejection badPOP', async () => {
    const e = createEnv(pki, { policy: { acceptRAVerified: true } });
    const { response } = await e.ask({
      body: await certBody('kur', await newKeyPair(), { pop: 'raVerified', oldCertificate: pki.other.certificate }),
      protection: pki.ra.credential,
    });
    expectCertRejection(response, 'kup', ['badPOP']);
  });

  /** An ir with raVerified signed by the RA, carrying the device's ir (MAC-protected with `secret`) as origPKIMessage. */
  async function raVerifiedWithOriginal(e: Env, secret: MacCredential) {
    const original = await deviceRequest({ body: await certBody('ir', await newKeyPair()), protection: secret });
    return e.ask({
      body: await certBody('ir', await newKeyPair(), { pop: 'raVerified' }),
      protection: pki.ra.credential,
      generalInfo: [{ type: 'origPKIMessage', infoValue: [original] }],
    });
  }

  it('an original message in origPKIMessage whose protection the CA can check and that fails it: error badMessageCheck', async () => {
    const e = createEnv(pki, { policy: { acceptRAVerified: true } });
    const { response } = await raVerifiedWithOriginal(e, { secret: 'wrong', senderKID: '3078' });
    expectErrorBody(response, ['badMessageCheck']);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('an original message MAC-protected with a secret only the RA knows is not held against the request', async () => {
    const e = createEnv(pki, { policy: { acceptRAVerified: true } });
    issuedCertificate((await raVerifiedWithOriginal(e, { secret: 's', senderKID: 'ra-device' })).response, 'ip');
  });
});
