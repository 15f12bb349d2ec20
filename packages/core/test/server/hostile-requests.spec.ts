// Hand-built hostile or wrong requests against the server engine. Each assertion is on the wire:
// the response is decoded as a peer would, its body type, PKIStatusInfo rejection and exact
// failInfo bit names are checked, and so is its protection where the server can protect it.
// Every response carries the request's transactionID and recipNonce = the request's senderNonce.
import { decodePKIMessage, encodePKIMessage, nameToString, oids, parseName, type PKIBody } from '@cmpkit/codec';
import { RequestRejectedError } from '@cmpkit/core';
import type { ProtectionCredential } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, certConfBody, certRep, expectCertRejection, genmBody, issuedCertificate, rrBody } from './support/bodies.js';
import { buildCsr } from './support/csr.js';
import { createEnv, followUp, openIr, type Env, type EnvOptions } from './support/env.js';
import { createTestPki, newKeyPair, type TestPki } from './support/pki.js';
import {
  buildRequest,
  exchangeRaw,
  expectBoundTo,
  expectErrorBody,
  expectRpAccepted,
  expectRpRejection,
  fresh,
  MAC,
  PBM,
  send,
  verifyResponse,
} from './support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

function env(options: EnvOptions = {}): Env {
  return createEnv(pki, options);
}

/** A crypto whose subtle counts PBKDF2 derivations (deriveBits/deriveKey) and digests (PasswordBasedMac derives by digests). */
function countingCrypto(): { crypto: Crypto; counts: { pbkdf2: number; digest: number }; reset(): void } {
  const counts = { pbkdf2: 0, digest: 0 };
  const real = globalThis.crypto.subtle;
  const isPbkdf2 = (alg: unknown): boolean =>
    (typeof alg === 'string' ? alg : (alg as { name?: string } | undefined)?.name)?.toUpperCase() === 'PBKDF2';
  const subtle = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if ((prop === 'deriveBits' || prop === 'deriveKey') && isPbkdf2(args[0])) counts.pbkdf2 += 1;
        if (prop === 'digest') counts.digest += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const crypto = {
    subtle,
    getRandomValues: <T extends ArrayBufferView>(array: T): T => globalThis.crypto.getRandomValues(array),
    randomUUID: () => globalThis.crypto.randomUUID(),
  } as Crypto;
  return { crypto, counts, reset: () => ((counts.pbkdf2 = 0), (counts.digest = 0)) };
}

describe('header and message checks', () => {
  it('undecodable bytes: error badDataFormat, signed by the server', async () => {
    const e = env();
    const response = await exchangeRaw(e.server, Uint8Array.of(0x30, 0x03, 0x02, 0x01));
    expectErrorBody(response, ['badDataFormat']);
    expect(response.header.transactionID).toBeUndefined();
    expect(await verifyResponse(response, pki)).toBe('signature');
    expect(expectErrorBody(await exchangeRaw(e.server, new Uint8Array(0)), ['badDataFormat'])).toMatch(/codec/);
  });

  it('a body that does not decode under a good header: badDataFormat, answered to the request (transactionID, recipNonce)', async () => {
    const e = env();
    const { message, bytes } = await buildRequest({ body: genmBody(), now: clock.date() });
    const header = decodePKIMessage(bytes).raw.header;
    const garbledBody = Uint8Array.of(0xa0, 0x03, 0x01, 0x02, 0x03); // [0] ir holding no CertReqMessages
    const content = Uint8Array.of(...header, ...garbledBody);
    const length =
      content.length < 0x80
        ? [content.length]
        : content.length < 0x100
          ? [0x81, content.length]
          : [0x82, content.length >> 8, content.length & 0xff];
    const response = await exchangeRaw(e.server, Uint8Array.of(0x30, ...length, ...content));
    expectErrorBody(response, ['badDataFormat']);
    expectBoundTo(response, message);
    expect(await verifyResponse(response, pki)).toBe('mac');
  });

  it('trailing bytes after a valid message: badDataFormat', async () => {
    const e = env();
    const { bytes } = await buildRequest({ body: genmBody(), now: clock.date() });
    expectErrorBody(await exchangeRaw(e.server, Uint8Array.of(...bytes, 0)), ['badDataFormat']);
  });

  it('pvno 1: unsupportedVersion, MAC-protected with the request secret', async () => {
    const e = env();
    const { response } = await e.ask({ body: genmBody(), pvno: 1 });
    expectErrorBody(response, ['unsupportedVersion']);
    expect(response.header.pvno).toBe(2);
    expect(await verifyResponse(response, pki)).toBe('mac');
  });

  it('missing transactionID: badDataFormat', async () => {
    const e = env();
    const { request, response } = await e.ask({ body: genmBody(), transactionID: null });
    expectErrorBody(response, ['badDataFormat']);
    expect(response.header.transactionID).toBeUndefined();
    expect(response.header.recipNonce).toEqual(request.header.senderNonce);
    expect(await verifyResponse(response, pki)).toBe('mac');
  });

  it('transactionID shorter than 128 bits: badRequest', async () => {
    const e = env();
    const { response } = await e.ask({ body: genmBody(), transactionID: fresh().subarray(0, 15) });
    expectErrorBody(response, ['badRequest']);
  });

  it('senderNonce shorter than 128 bits or missing: badSenderNonce', async () => {
    const e = env();
    expectErrorBody((await e.ask({ body: genmBody(), senderNonce: fresh().subarray(0, 8) })).response, ['badSenderNonce']);
    const { response } = await e.ask({ body: genmBody(), senderNonce: null });
    expectErrorBody(response, ['badSenderNonce']);
    expect(response.header.recipNonce).toBeUndefined();
  });

  it.each([
    ['301 s behind', -301_000, ['badTime']],
    ['301 s ahead', 301_000, ['badTime']],
    ['299 s behind', -299_000, []],
  ] as const)('messageTime %s of the server clock', async (_label, offset, failInfo) => {
    const e = env();
    const { response } = await e.ask({ body: genmBody(), messageTime: new Date(clock.now() + offset) });
    if (failInfo.length) expectErrorBody(response, failInfo);
    else expect(response.body.type).toBe('genp');
  });

  it('no messageTime at all is accepted', async () => {
    const e = env();
    expect((await e.ask({ body: genmBody(), messageTime: null })).response.body.type).toBe('genp');
  });

  it('unprotected request: badMessageCheck; accepted with acceptUnprotected (answered signed)', async () => {
    const e = env();
    const refused = await e.ask({ body: genmBody(), protection: 'none' });
    expect(expectErrorBody(refused.response, ['badMessageCheck'])).toMatch(/not protected/);
    expect(await verifyResponse(refused.response, pki)).toBe('signature');

    const lenient = env({ policy: { acceptUnprotected: true } });
    const { response } = await lenient.ask({ body: genmBody(), protection: 'none' });
    expect(response.body.type).toBe('genp');
    expect(await verifyResponse(response, pki)).toBe('signature');
  });

  it('wrong MAC (another secret under a known senderKID): badMessageCheck, answered with the real secret', async () => {
    const e = env();
    const { response } = await e.ask({ body: genmBody(), protection: { secret: 'wrong secret', senderKID: '3078' } });
    expectErrorBody(response, ['badMessageCheck']);
    expect(await verifyResponse(response, pki)).toBe('mac');
  });

  it('policy sendUnprotectedErrors: the error answer goes out unprotected', async () => {
    const e = env({ policy: { sendUnprotectedErrors: true } });
    const { response } = await send(e.server, {
      body: genmBody(),
      protection: { secret: 'wrong secret', senderKID: '3078' },
      now: clock.date(),
    });
    expectErrorBody(response, ['badMessageCheck']);
    expect(response.protection).toBeUndefined();
  });

  it('a flipped byte in a MAC-protected body: badMessageCheck', async () => {
    const e = env();
    const { bytes } = await buildRequest({ body: genmBody([{ type: 'caCerts' }, { type: 'certReqTemplate' }]), now: clock.date() });
    const tampered = bytes.slice();
    // The last infoType OID's last byte lies inside the body, before the protection.
    const at = tampered.lastIndexOf(0x13);
    tampered[at] = 0x11;
    expectErrorBody(await exchangeRaw(e.server, tampered), ['badMessageCheck']);
  });

  it.each([
    ['PBMAC1', MAC],
    ['PasswordBasedMac', PBM],
  ])(
    'unknown senderKID (%s): answered exactly like a wrong secret (failInfo, text, work, MAC-protected error)',
    async (_name, credential) => {
      const counting = countingCrypto();
      const e = env({ server: { crypto: counting.crypto } });
      const answer = async (protection: ProtectionCredential) => {
        const { bytes, message } = await buildRequest({ body: genmBody(), protection, now: clock.date() });
        counting.reset();
        const response = await exchangeRaw(e.server, bytes);
        expectBoundTo(response, message);
        return { text: expectErrorBody(response, ['badMessageCheck']), work: { ...counting.counts }, request: message, response };
      };
      const unknown = await answer({ ...credential, senderKID: 'nobody' });
      const wrong = await answer({ ...credential, secret: 'a guessed secret' });
      expect(unknown.text).toBe(wrong.text);
      expect(unknown.work).toEqual(wrong.work);
      expect(unknown.work.pbkdf2 + unknown.work.digest).toBeGreaterThan(0);
      for (const { request, response } of [unknown, wrong]) {
        // Both errors are MAC-protected under the request's reference and algorithm.
        expect(response.header.protectionAlg?.algorithm).toBe(request.header.protectionAlg?.algorithm);
        expect(response.header.senderKID).toEqual(request.header.senderKID);
      }
    },
  );

  it.each([
    [
      'PBMAC1 with 262 145 iterations',
      { secret: 'perf-test-secret', senderKID: '3078', mac: { algorithm: 'PBMAC1', iterationCount: 262_145 } },
    ],
    [
      'PasswordBasedMac with 10 001 iterations',
      { secret: 'perf-test-secret', senderKID: '3078', mac: { algorithm: 'PasswordBasedMac', iterationCount: 10_001 } },
    ],
    [
      'PasswordBasedMac with 10 iterations',
      { secret: 'perf-test-secret', senderKID: '3078', mac: { algorithm: 'PasswordBasedMac', iterationCount: 10 } },
    ],
  ] as [string, ProtectionCredential][])('MAC parameters out of bounds (%s): badAlg before any derivation', async (_name, credential) => {
    const counting = countingCrypto();
    const e = env({ server: { crypto: counting.crypto } });
    const { bytes, message } = await buildRequest({
      body: genmBody(),
      protection: credential,
      macBounds: { minIterations: 1, maxIterations: 1_000_000 },
      now: clock.date(),
    });
    counting.reset();
    const response = await exchangeRaw(e.server, bytes);
    expectBoundTo(response, message);
    expectErrorBody(response, ['badAlg']);
    // The error itself is MAC-protected with the server's default MAC, not the refused parameters.
    expect(response.header.protectionAlg?.algorithm).toBe(oids.id_PBMAC1);
    expect(await verifyResponse(response, pki)).toBe('mac');
    // One derivation: the response's own PBMAC1 key; the request's parameters were never used.
    expect(counting.counts.pbkdf2).toBe(1);
    expect(counting.counts.digest).toBeLessThan(10);
  });

  it('a signature where only MACs are trusted (no trust anchors): wrongIntegrity', async () => {
    const e = env({ server: { protection: { trustAnchors: [], externalAnchors: [] } } });
    const { response } = await e.ask({ body: genmBody(), protection: pki.other.credential });
    expectErrorBody(response, ['wrongIntegrity']);
  });

  it('reused transactionID of an open transaction: transactionIdInUse, and the open one still completes', async () => {
    const e = env();
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair()), transactionID: open.request.header.transactionID! });
    expectErrorBody(response, ['transactionIdInUse']);
    expect(e.issuer.requests).toHaveLength(1);
    const conf = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open) });
    expect(conf.response.body.type).toBe('pkiconf');
  });

  it('genm and rr reusing the transactionID of an open transaction: transactionIdInUse, nothing revoked', async () => {
    const e = env({ policy: { allowMacRevocation: true } });
    const open = await openIr(e);
    const transactionID = open.request.header.transactionID!;
    expectErrorBody((await e.ask({ body: genmBody(), transactionID })).response, ['transactionIdInUse']);
    expectRpRejection((await e.ask({ body: rrBody(open.certificate, 4), transactionID })).response, ['transactionIdInUse']);
    expect(e.issuer.entryOf(open.certificate)?.revoked).toBeUndefined();
    const conf = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open) });
    expect(conf.response.body.type).toBe('pkiconf');
  });

  it('a genm or rr transactionID used again (by any message): transactionIdInUse', async () => {
    const e = env({ policy: { allowMacRevocation: true } });
    const genm = await e.ask({ body: genmBody() });
    expect(genm.response.body.type).toBe('genp');
    expectErrorBody((await e.ask({ body: genmBody(), transactionID: genm.request.header.transactionID! })).response, [
      'transactionIdInUse',
    ]);
    const open = await openIr(e);
    const rr = await e.ask({ body: rrBody(open.certificate, 4) });
    expect(rr.response.body.type).toBe('rp');
    const ir = await e.ask({ body: await certBody('ir', await newKeyPair()), transactionID: rr.request.header.transactionID! });
    expectErrorBody(ir.response, ['transactionIdInUse']);
  });

  it('replayed message (same senderNonce): badSenderNonce', async () => {
    const e = env();
    const { bytes, message } = await buildRequest({ body: genmBody(), now: clock.date() });
    expect((await exchangeRaw(e.server, bytes)).body.type).toBe('genp');
    const replay = await exchangeRaw(e.server, bytes);
    expectBoundTo(replay, message);
    expect(expectErrorBody(replay, ['badSenderNonce'])).toMatch(/replay/);
    // The same nonce in a new message with another transactionID too.
    const again = await e.ask({ body: genmBody(), senderNonce: message.header.senderNonce! });
    expectErrorBody(again.response, ['badSenderNonce']);
  });

  it('a body type the server does not serve (ckuann): badRequest', async () => {
    const e = env();
    const { response } = await e.ask({ body: { type: 'pkiconf', content: null } });
    expectErrorBody(response, ['badRequest']);
  });
});

describe('certConf', () => {
  it('for an unknown transaction: badRequest', async () => {
    const e = env();
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certConfBody(open.certificate), recipNonce: open.response.header.senderNonce! });
    expectErrorBody(response, ['badRequest']);
    expect(e.issuer.entryOf(open.certificate)?.confirmed).toBeUndefined();
  });

  it('with a wrong recipNonce: badRecipientNonce; the transaction stays open', async () => {
    const e = env();
    const open = await openIr(e);
    const wrong = await e.ask({
      body: await certConfBody(open.certificate),
      transactionID: open.request.header.transactionID!,
      recipNonce: fresh(),
    });
    expectErrorBody(wrong.response, ['badRecipientNonce']);
    const missing = await e.ask({ body: await certConfBody(open.certificate), transactionID: open.request.header.transactionID! });
    expectErrorBody(missing.response, ['badRecipientNonce']);
    expect((await e.ask({ body: await certConfBody(open.certificate), ...followUp(open) })).response.body.type).toBe('pkiconf');
    expect(e.issuer.entryOf(open.certificate)?.confirmed).toBe(true);
  });

  it('with a wrong certHash: badCertId and the certificate revoked', async () => {
    const e = env();
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certConfBody(open.certificate, { wrongHash: true }), ...followUp(open) });
    expectErrorBody(response, ['badCertId']);
    expect(await verifyResponse(response, pki)).toBe('mac');
    const entry = e.issuer.entryOf(open.certificate)!;
    expect(entry.confirmed).toBe(false);
    expect(entry.revoked).toBeDefined();
  });

  it('with an unknown certReqId: badRequest, and the pending certificate is revoked', async () => {
    const e = env();
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certConfBody(open.certificate, { certReqId: 7 }), ...followUp(open) });
    expectErrorBody(response, ['badRequest']);
    expect(e.issuer.entryOf(open.certificate)?.revoked).toBeDefined();
  });

  it('negative (the EE rejects the certificate): pkiconf, the certificate revoked with the EE reason', async () => {
    const e = env();
    const open = await openIr(e);
    const { response } = await e.ask({ body: await certConfBody(open.certificate, { reject: 'wrong name' }), ...followUp(open) });
    expect(response.body.type).toBe('pkiconf');
    const entry = e.issuer.entryOf(open.certificate)!;
    expect(entry.confirmed).toBe(false);
    expect(entry.confirmReason).toBe('wrong name');
    expect(entry.revoked).toBeDefined();
  });

  it('confirmWaitTime expiry: expireTransactions() revokes and closes; a late certConf is badRequest', async () => {
    const e = env({ policy: { confirmWaitTime: 60 } });
    const open = await openIr(e);
    const waitInfo = open.response.header.generalInfo?.find((i) => i.type === 'confirmWaitTime');
    expect(waitInfo?.infoValue).toEqual(new Date(clock.now() + 60_000));
    expect(await e.server.expireTransactions()).toBe(0);
    clock.advance(61_000);
    expect(await e.server.expireTransactions()).toBe(1);
    const entry = e.issuer.entryOf(open.certificate)!;
    expect(entry.confirmed).toBe(false);
    expect(entry.confirmReason).toBe('confirmWaitTime expired');
    expect(entry.revoked).toBeDefined();
    expect(await e.server.expireTransactions()).toBe(0);
    const late = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open) });
    expectErrorBody(late.response, ['badRequest']);
  });

  it('transactionTtl shorter than confirmWaitTime: the record outlives its TTL until expireTransactions() revokes it', async () => {
    const e = env({ policy: { confirmWaitTime: 600, transactionTtl: 10, messageTimeWindow: 60 } });
    const open = await openIr(e);
    clock.advance(30_000); // past the configured TTL, within confirmWaitTime
    expect(await e.server.expireTransactions()).toBe(0);
    clock.advance(600_000);
    expect(await e.server.expireTransactions()).toBe(1);
    expect(e.issuer.entryOf(open.certificate)?.confirmReason).toBe('confirmWaitTime expired');
    expect(e.issuer.entryOf(open.certificate)?.revoked).toBeDefined();
  });

  it('from another requester continuing the transaction: notAuthorized', async () => {
    const e = env();
    const open = await openIr(e);
    const byOther = await e.ask({
      body: await certConfBody(open.certificate),
      ...followUp(open),
      protection: { secret: 'another secret', senderKID: 'other' },
    });
    expectErrorBody(byOther.response, ['notAuthorized']);
    // Signed where the ir was MAC-protected: the protection changed within the transaction.
    const bySigner = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open), protection: pki.other.credential });
    expectErrorBody(bySigner.response, ['wrongIntegrity']);
    expect(e.issuer.entryOf(open.certificate)?.confirmed).toBeUndefined();
  });

  it('pollReq from another requester: notAuthorized', async () => {
    const e = env({ issuer: { pendingPolls: 1 } });
    const { request, response } = await e.ask({ body: await certBody('ir', await newKeyPair()) });
    expect(response.body.type === 'ip' && response.body.content.response[0]?.status.status).toBe(3);
    const poll = await e.ask({
      body: { type: 'pollReq', content: [{ certReqId: 0 }] },
      ...followUp({ request, response }),
      protection: { secret: 'another secret', senderKID: 'other' },
    });
    expectErrorBody(poll.response, ['notAuthorized']);
    expect(e.issuer.polls).toHaveLength(0);
  });
});

describe('other transaction rules', () => {
  it('an error message from the EE ends the transaction: pkiconf, the certificate revoked with its text', async () => {
    const e = env();
    const open = await openIr(e);
    const { response } = await e.ask({
      body: { type: 'error', content: { pKIStatusInfo: { status: 2, failInfo: ['badCertTemplate'], statusString: ['giving up'] } } },
      ...followUp(open),
    });
    expect(response.body.type).toBe('pkiconf');
    expect(e.issuer.entryOf(open.certificate)).toMatchObject({ confirmed: false, confirmReason: 'giving up' });
    const late = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open) });
    expectErrorBody(late.response, ['badRequest']);
  });

  it('pollReq for a transaction that is not waiting: badRequest', async () => {
    const e = env();
    const open = await openIr(e);
    const { response } = await e.ask({ body: { type: 'pollReq', content: [{ certReqId: 0 }] }, ...followUp(open) });
    expectErrorBody(response, ['badRequest']);
  });

  it('pollReq for a certReqId that is not waiting: badCertId', async () => {
    const e = env({ issuer: { pendingPolls: 1 } });
    const open = await e.ask({ body: await certBody('ir', await newKeyPair()) });
    const { response } = await e.ask({ body: { type: 'pollReq', content: [{ certReqId: 5 }] }, ...followUp(open) });
    expectErrorBody(response, ['badCertId']);
  });

  it('two CertReqMsgs in one ir (RFC 9483 allows one): an ip rejecting each with badRequest, nothing issued, the transactionID not taken again (transactionIdInUse)', async () => {
    const e = env();
    const a = (await certBody('ir', await newKeyPair())) as Extract<PKIBody, { type: 'ir' }>;
    const b = (await certBody('ir', await newKeyPair())) as Extract<PKIBody, { type: 'ir' }>;
    const transactionID = fresh();
    const { response } = await e.ask({ body: { type: 'ir', content: [...a.content, ...b.content] }, transactionID });
    const rep = certRep(response, 'ip').response;
    expect(rep).toHaveLength(2);
    for (const r of rep) expect(r.status).toMatchObject({ status: 2, failInfo: ['badRequest'] });
    expect(e.issuer.requests).toHaveLength(0);
    expectErrorBody((await e.ask({ body: a, transactionID })).response, ['transactionIdInUse']);
  });

  it('a rejected ir ends its transaction (no certConf expected; its transactionID stays taken)', async () => {
    const e = env();
    const transactionID = fresh();
    const refused = await e.ask({ body: await certBody('ir', await newKeyPair(), { pop: 'none' }), transactionID });
    expectCertRejection(refused.response, 'ip', ['badPOP']);
    expect(refused.response.header.generalInfo).toBeUndefined();
    const conf = await e.ask({
      body: await certConfBody(pki.other.certificate),
      transactionID,
      recipNonce: refused.response.header.senderNonce!,
    });
    expectErrorBody(conf.response, ['badRequest']);
    // The finished transaction keeps its ID for transactionTtl (RFC 9810 5.1.1): a new ir cannot take it.
    expectErrorBody((await e.ask({ body: await certBody('ir', await newKeyPair()), transactionID })).response, ['transactionIdInUse']);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('an ir without any CertReqMsg (SIZE (1..MAX) broken): badDataFormat, nothing issued', async () => {
    const e = env();
    // Our encoder refuses an empty CertReqMessages, so build an empty genm and retag its body as ir [0].
    const { bytes, message } = await buildRequest({ body: { type: 'genm', content: [] }, now: clock.date() });
    const body = decodePKIMessage(bytes).raw.body;
    const tampered = bytes.slice();
    tampered[body.byteOffset - bytes.byteOffset] = 0xa0;
    const response = await exchangeRaw(e.server, tampered);
    // The codec refuses the whole message; the header alone still decodes and the answer is bound to it.
    expectErrorBody(response, ['badDataFormat']);
    expectBoundTo(response, message);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('p10cr whose signature does not verify: cp with rejection badPOP', async () => {
    const e = env();
    const csr = await buildCsr(await newKeyPair(), '/CN=p10');
    csr[csr.length - 1] = csr.at(-1)! ^ 0x01;
    const { response } = await e.ask({ body: { type: 'p10cr', content: { der: csr } } });
    const rep = certRep(response, 'cp').response;
    expect(rep[0]).toMatchObject({ certReqId: -1, status: { status: 2 } });
    expect(rep[0]!.status.failInfo).toContain('badPOP');
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('p10cr that is not a PKCS#10 request: cp with rejection badDataFormat or badPOP, never a crash', async () => {
    const e = env();
    const { response } = await e.ask({ body: { type: 'p10cr', content: { der: Uint8Array.of(0x30, 0x00) } } });
    const rep = certRep(response, 'cp').response[0]!;
    expect(rep.status.status).toBe(2);
    expect(rep.status.failInfo?.some((b) => b === 'badDataFormat' || b === 'badPOP')).toBe(true);
  });

  it('rr with a shared secret and allowMacRevocation: accepted', async () => {
    const e = env({ policy: { allowMacRevocation: true } });
    const open = await openIr(e);
    const { response } = await e.ask({ body: rrBody(open.certificate, 4) });
    expectRpAccepted(response);
    expect(e.issuer.entryOf(open.certificate)?.revoked).toEqual({ by: 'rr', reason: 4 });
  });

  it('rr with a malformed reasonCode: badDataFormat', async () => {
    const e = env();
    const body = rrBody(pki.other.certificate) as Extract<PKIBody, { type: 'rr' }>;
    body.content[0]!.crlEntryDetails = [{ extnID: oids.id_ce_cRLReasons, extnValue: Uint8Array.of(0x02, 0x01, 0x01) }];
    const { response } = await e.ask({ body, protection: pki.other.credential });
    expectRpRejection(response, ['badDataFormat']);
  });
});

describe('proof of possession', () => {
  it('missing POP: ip with rejection badPOP, nothing issued', async () => {
    const e = env();
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { pop: 'none' }) });
    expectCertRejection(response, 'ip', ['badPOP']);
    expect(e.issuer.requests).toHaveLength(0);
    expect(await verifyResponse(response, pki)).toBe('mac');
  });

  it('POP signed with another key: ip with rejection badPOP', async () => {
    const e = env();
    const other = await newKeyPair();
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { popKey: other.privateKey }) });
    expectCertRejection(response, 'ip', ['badPOP']);
  });

  it('poposkInput naming another sender than the authenticated one: badPOP', async () => {
    const e = env();
    const body = await certBody('ir', await newKeyPair(), { popSender: { type: 'directoryName', value: [] } });
    const { response } = await e.ask({ body, protection: pki.other.credential });
    expectCertRejection(response, 'ip', ['badPOP']);
  });

  it.each([
    ['a MAC requester', 'mac', true, ['badPOP', 'notAuthorized']],
    ['a signer without id-kp-cmcRA', 'other', true, ['badPOP', 'notAuthorized']],
    ['the RA when acceptRAVerified is off', 'ra', false, ['badPOP']],
  ] as const)('raVerified from %s: badPOP', async (_label, who, acceptRAVerified, failInfo) => {
    const e = env({ policy: { acceptRAVerified } });
    const protection = who === 'mac' ? MAC : who === 'ra' ? pki.ra.credential : pki.other.credential;
    const { response } = await e.ask({ body: await certBody('cr', await newKeyPair(), { pop: 'raVerified' }), protection });
    expectCertRejection(response, 'cp', failInfo);
  });

  it('raVerified from an RA certificate (id-kp-cmcRA) with acceptRAVerified: accepted', async () => {
    const e = env({ policy: { acceptRAVerified: true } });
    const { response } = await e.ask({
      body: await certBody('cr', await newKeyPair(), { pop: 'raVerified' }),
      protection: pki.ra.credential,
    });
    issuedCertificate(response, 'cp');
    expect(await verifyResponse(response, pki)).toBe('signature');
  });
});

describe('key update and revocation rules', () => {
  async function enrolledHolder(e: Env) {
    const keyPair = await newKeyPair();
    const { request, response } = await e.ask({ body: await certBody('ir', keyPair, { subject: '/O=cmpkit test/CN=holder' }) });
    const certificate = issuedCertificate(response, 'ip');
    await e.ask({ body: await certConfBody(certificate), ...followUp({ request, response }) });
    return { privateKey: keyPair.privateKey, certificate, chain: [pki.ca.certificate] };
  }

  it('kur signed with the certificate it names: kup accepted', async () => {
    const e = env();
    const holder = await enrolledHolder(e);
    const { response } = await e.ask({
      body: await certBody('kur', await newKeyPair(), { subject: '/O=cmpkit test/CN=holder', oldCertificate: holder.certificate }),
      protection: holder,
    });
    issuedCertificate(response, 'kup');
  });

  it('a request signed with a revoked certificate of this CA: certRevoked (the issuer is asked); its own rr still gets rp certRevoked', async () => {
    const e = env({ policy: { allowMacRevocation: true } });
    const holder = await enrolledHolder(e);
    expect((await e.ask({ body: rrBody(holder.certificate, 1) })).response.body.type).toBe('rp'); // revoked with the shared secret
    const kur = await e.ask({
      body: await certBody('kur', await newKeyPair(), { subject: '/O=cmpkit test/CN=holder', oldCertificate: holder.certificate }),
      protection: holder,
    });
    expectErrorBody(kur.response, ['certRevoked']);
    expectErrorBody((await e.ask({ body: genmBody(), protection: holder })).response, ['certRevoked']);
    const rr = await e.ask({ body: rrBody(holder.certificate, 4), protection: holder });
    expect(rr.response.body.type === 'rp' && rr.response.body.content.status[0]).toMatchObject({ status: 2, failInfo: ['certRevoked'] });
  });

  it('kur signed by another certificate than the one in oldCertID: badCertId', async () => {
    const e = env();
    const holder = await enrolledHolder(e);
    const { response } = await e.ask({
      body: await certBody('kur', await newKeyPair(), { subject: '/O=cmpkit test/CN=someone else', oldCertificate: holder.certificate }),
      protection: pki.other.credential,
    });
    expectCertRejection(response, 'kup', ['badCertId']);
  });

  it('kur changing the subject: notAuthorized', async () => {
    const e = env();
    const holder = await enrolledHolder(e);
    const { response } = await e.ask({
      body: await certBody('kur', await newKeyPair(), { subject: '/O=cmpkit test/CN=new name', oldCertificate: holder.certificate }),
      protection: holder,
    });
    expectCertRejection(response, 'kup', ['notAuthorized']);
  });

  it('kur protected with a shared secret: error wrongIntegrity (a kur is signed with the certificate it updates)', async () => {
    const e = env();
    const holder = await enrolledHolder(e);
    const { response } = await e.ask({
      body: await certBody('kur', await newKeyPair(), { subject: '/O=cmpkit test/CN=holder', oldCertificate: holder.certificate }),
    });
    expectErrorBody(response, ['wrongIntegrity']);
    expect(e.issuer.requests).toHaveLength(1);
  });

  it('rr by the holder: accepted; rr of the revoked certificate again: certRevoked', async () => {
    const e = env();
    const holder = await enrolledHolder(e);
    const first = await e.ask({ body: rrBody(holder.certificate, 1), protection: holder });
    expect(expectRpAccepted(first.response)).toBe('certificate revoked');
    expect(e.issuer.entryOf(holder.certificate)?.revoked).toEqual({ by: 'rr', reason: 1 });
    const again = await e.ask({ body: rrBody(holder.certificate), protection: pki.ra.credential });
    expectRpRejection(again.response, ['certRevoked']);
  });

  it('rr by a non-holder: rp notAuthorized; by a shared secret without allowMacRevocation: rp wrongIntegrity', async () => {
    const e = env();
    const holder = await enrolledHolder(e);
    expectRpRejection((await e.ask({ body: rrBody(holder.certificate), protection: pki.other.credential })).response, ['notAuthorized']);
    expectRpRejection((await e.ask({ body: rrBody(holder.certificate), protection: MAC })).response, ['wrongIntegrity']);
    expect(e.issuer.entryOf(holder.certificate)?.revoked).toBeUndefined();
  });
});

describe('issuer refusals and failures', () => {
  it('a template the profile forbids: badCertTemplate with the IssuanceError text', async () => {
    const e = env();
    const san = {
      extnID: oids.id_ce_subjectAltName,
      extnValue: Uint8Array.of(0x30, 0x0b, 0x82, 0x09, ...new TextEncoder().encode('x.example')),
    };
    const { response } = await e.ask({
      body: await certBody('ir', await newKeyPair(), { extensions: [san] }),
      generalInfo: [{ type: 'certProfile', infoValue: ['noSan'] }],
    });
    expect(expectCertRejection(response, 'ip', ['badCertTemplate'])).toMatch(/^ca: /);
  });

  it('an issuer throwing a plain Error: systemFailure "internal error" on the wire, the cause only in the log', async () => {
    const e = env({ issuer: { failWith: new Error('database at 10.1.2.3 refused user ca_admin') } });
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair()) });
    expect(expectCertRejection(response, 'ip', ['systemFailure'])).toBe('internal error');
    expect(encodePKIMessage(response).join(',')).not.toContain([...new TextEncoder().encode('10.1.2.3')].join(','));
    expect(e.logger.text()).toContain('database at 10.1.2.3 refused user ca_admin');
    expect(e.logger.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('an issuer throwing a plain Error in a genm: error body systemFailure "internal error"', async () => {
    const e = env();
    e.issuer.caCertificates = async () => {
      throw new TypeError('cannot read properties of undefined (reading "rows")');
    };
    const { response } = await e.ask({ body: genmBody() });
    expect(expectErrorBody(response, ['systemFailure'])).toBe('internal error');
    expect(await verifyResponse(response, pki)).toBe('mac');
    expect(e.logger.text()).toContain('reading \\"rows\\"');
  });
});

describe('authorizer', () => {
  it('refusing a certification: the rejection carries its failInfo and text', async () => {
    const e = env({
      server: {
        init: {
          authorizer: {
            async authorizeCertification() {
              throw new RequestRejectedError('notAuthorized', 'this device is not on the list');
            },
          },
        },
      },
    });
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair()) });
    expect(expectCertRejection(response, 'ip', ['notAuthorized'])).toBe('this device is not on the list');
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('amending the template: the issuer gets the amended template and the answer is grantedWithMods', async () => {
    const e = env({
      server: {
        init: {
          authorizer: {
            async authorizeCertification(request) {
              return { ...request.template, subject: parseName('/O=cmpkit test/CN=amended') };
            },
          },
        },
      },
    });
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { subject: '/CN=asked' }) });
    const rep = certRep(response, 'ip').response[0]!;
    expect(rep.status.status).toBe(1);
    expect(nameToString(e.issuer.requests[0]!.template.subject!)).toBe('/O=cmpkit test/CN=amended');
  });

  it('authorizeRevocation replaces the built-in rule', async () => {
    const e = env({ server: { init: { authorizer: { async authorizeRevocation() {} } } } });
    const open = await openIr(e);
    // A MAC requester may revoke now, because the authorizer says so.
    const { response } = await e.ask({ body: rrBody(open.certificate) });
    expectRpAccepted(response);
  });
});

describe('external anchors (manufacturer certificates)', () => {
  it('accepted for ir: the requester is marked external', async () => {
    const e = env();
    const { response } = await e.ask({
      body: await certBody('ir', await newKeyPair(), { subject: '/O=cmpkit test/CN=device-42' }),
      protection: pki.idevid.credential,
    });
    issuedCertificate(response, 'ip');
    const requester = e.issuer.requests[0]!.requester;
    expect(requester.kind === 'signature' && requester.external).toBe(true);
    expect(await verifyResponse(response, pki)).toBe('signature');
  });

  it('the IDevID also confirms its ir (certConf) and polls (pollReq) in that transaction', async () => {
    const e = env({ issuer: { pendingPolls: 1, checkAfter: 1 } });
    const protection = pki.idevid.credential;
    const ir = await e.ask({ body: await certBody('ir', await newKeyPair(), { subject: '/O=cmpkit test/CN=device-42' }), protection });
    expect(certRep(ir.response, 'ip').response[0]?.status.status).toBe(3);
    const poll = await e.ask({ body: { type: 'pollReq', content: [{ certReqId: 0 }] }, ...followUp(ir), protection });
    const certificate = issuedCertificate(poll.response, 'ip');
    const conf = await e.ask({
      body: await certConfBody(certificate),
      ...followUp({ request: poll.request, response: poll.response }),
      protection,
    });
    expect(conf.response.body.type).toBe('pkiconf');
    expect(e.issuer.entryOf(certificate)?.confirmed).toBe(true);
  });

  it('an IDevID cannot continue a transaction it did not open: notAuthorized', async () => {
    const e = env();
    const open = await openIr(e, pki.other.credential);
    const { response } = await e.ask({ body: await certConfBody(open.certificate), ...followUp(open), protection: pki.idevid.credential });
    expectErrorBody(response, ['notAuthorized']);
  });

  it('not accepted for cr (or any other body): signerNotTrusted', async () => {
    const e = env();
    const cr = await e.ask({ body: await certBody('cr', await newKeyPair()), protection: pki.idevid.credential });
    expectErrorBody(cr.response, ['signerNotTrusted']);
    for (const body of [genmBody(), await certBody('kur', await newKeyPair(), { oldCertificate: pki.idevid.certificate })]) {
      const { response } = await e.ask({ body, protection: pki.idevid.credential });
      expectErrorBody(response, ['signerNotTrusted']);
    }
    expectRpRejection((await e.ask({ body: rrBody(pki.idevid.certificate), protection: pki.idevid.credential })).response, [
      'signerNotTrusted',
    ]);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('externalTrust: a device PKI accepted for the request types listed, and only those', async () => {
    const e = env({
      server: {
        protection: { externalAnchors: [], externalTrust: [{ anchors: [pki.manufacturerRoot.certificate], requests: ['cr', 'genm'] }] },
      },
    });
    const protection = pki.idevid.credential;
    const cr = await e.ask({ body: await certBody('cr', await newKeyPair(), { subject: '/O=cmpkit test/CN=device-42' }), protection });
    const certificate = issuedCertificate(cr.response, 'cp');
    const requester = e.issuer.requests[0]!.requester;
    expect(requester.kind === 'signature' && requester.external).toBe(true);
    const conf = await e.ask({ body: await certConfBody(certificate), ...followUp(cr), protection });
    expect(conf.response.body.type).toBe('pkiconf');
    expect((await e.ask({ body: genmBody(), protection })).response.body.type).toBe('genp');
    const ir = await e.ask({ body: await certBody('ir', await newKeyPair(), { subject: '/O=cmpkit test/CN=device-42' }), protection });
    expectErrorBody(ir.response, ['signerNotTrusted']);
    // An rr is refused in an rp (RFC 9483 section 4.2).
    const rr = (await e.ask({ body: rrBody(pki.idevid.certificate), protection })).response;
    expect(rr.body.type === 'rp' && rr.body.content.status[0]?.failInfo).toEqual(['signerNotTrusted']);
  });
});
