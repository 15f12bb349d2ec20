// RFC 9483 sections 3.1 to 3.3 on the wire: header fields, generalInfo, protection and extraCerts
// of requests. Each case sends DER, decodes the DER answer as a peer would, and asserts the body
// type and the exact failInfo bits (docs/CONFORMANCE.md names these tests).
import { decodeInfoTypeAndValue, decodePKIMessage, oids, parseName, type InfoTypeAndValue, type PKIMessage } from '@cmpkit/codec';
import { buildAnnouncement } from '@cmpkit/core';
import { parseCertificate, verifyProtection } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, certConfBody, genmBody, rrBody } from '../support/bodies.js';
import { createEnv, followUp, openIr } from '../support/env.js';
import { createTestPki, newKeyPair, type TestPki } from '../support/pki.js';
import {
  buildRequest,
  exchangeRaw,
  expectBoundTo,
  expectErrorBody,
  expectRpRejection,
  fresh,
  resignWithHeader,
  verifyResponse,
} from '../support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

/** An InfoTypeAndValue of `oid` whose value is `value` (DER), decoded as the server sees it. */
function itavOf(oid: string, value: number[]): InfoTypeAndValue {
  // id-it OIDs are 1.3.6.1.5.5.7.4.n: 06 08 2b 06 01 05 05 07 04 n.
  const content = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x04, Number(oid.split('.').at(-1)), ...value];
  return decodeInfoTypeAndValue(Uint8Array.of(0x30, content.length, ...content));
}

describe('RFC 9483 3.1: header', () => {
  it.each(['ir', 'genm', 'rr'] as const)('a %s (first message of a transaction) with a recipNonce: badRecipientNonce', async (type) => {
    const e = createEnv(pki, { policy: { allowMacRevocation: true } });
    const open = await openIr(e);
    const body = type === 'ir' ? await certBody('ir', await newKeyPair()) : type === 'genm' ? genmBody() : rrBody(open.certificate);
    const { response } = await e.ask({ body, recipNonce: fresh() });
    // An rr is answered with an rp whatever goes wrong (RFC 9483 section 4.2).
    if (type === 'rr') expectRpRejection(response, ['badRecipientNonce']);
    else expectErrorBody(response, ['badRecipientNonce']);
    expect(e.issuer.entryOf(open.certificate)?.revoked).toBeUndefined();
  });

  it('a MAC-protected message whose sender is not a directoryName (rfc822Name): error badMessageCheck', async () => {
    const e = createEnv(pki);
    const { response } = await e.ask({ body: genmBody(), sender: { type: 'rfc822Name', value: 'device@example.com' } });
    expectErrorBody(response, ['badMessageCheck']);
  });

  it("a signature-protected message whose sender is not the signer certificate's subject: error badMessageCheck", async () => {
    const e = createEnv(pki);
    const { response } = await e.ask({
      body: await certBody('cr', await newKeyPair()),
      protection: pki.other.credential,
      sender: { type: 'directoryName', value: parseName('/O=cmpkit test/CN=Test Issuing CA') },
    });
    expectErrorBody(response, ['badMessageCheck']);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('a signature-protected message without senderKID (the certificate has a SubjectKeyIdentifier): error badMessageCheck', async () => {
    const e = createEnv(pki);
    const { message } = await buildRequest({ body: genmBody(), protection: pki.other.credential, now: clock.date() });
    const bytes = await resignWithHeader(message, pki.other.keyPair.privateKey, ({ senderKID: _kid, ...header }) => header);
    const response = await exchangeRaw(e.server, bytes);
    expectBoundTo(response, message);
    expectErrorBody(response, ['badMessageCheck']);
    expect(await verifyResponse(response, pki)).toBe('signature');
  });

  it("a signature-protected message whose senderKID is not the signer's SubjectKeyIdentifier: error badMessageCheck", async () => {
    const e = createEnv(pki);
    const { message } = await buildRequest({ body: genmBody(), protection: pki.other.credential, now: clock.date() });
    const bytes = await resignWithHeader(message, pki.other.keyPair.privateKey, (header) => ({ ...header, senderKID: fresh() }));
    expectErrorBody(await exchangeRaw(e.server, bytes), ['badMessageCheck']);
  });
});

describe('RFC 9483 3.1: header of responses and announcements', () => {
  it("a signed response names the signer certificate's subject as sender, whatever the configured name; a MAC response the configured name", async () => {
    const configured = parseName('/O=cmpkit test/CN=configured name');
    const e = createEnv(pki, { server: { init: { name: configured } } });
    const signed = await e.ask({ body: genmBody(), protection: pki.other.credential });
    expect(signed.response.header.sender).toEqual({ type: 'directoryName', value: parseCertificate(pki.server.certificate).subject });
    expect(await verifyResponse(signed.response, pki)).toBe('signature');
    const mac = await e.ask({ body: genmBody() });
    expect(mac.response.header.sender).toEqual({ type: 'directoryName', value: configured });
  });

  it("a signed announcement names the signer certificate's subject as sender", async () => {
    const der = await buildAnnouncement(
      { type: 'cann', certificate: pki.other.certificate },
      { name: parseName('/CN=not the signer'), credential: pki.server.credential, clock: clock.date },
    );
    const message = decodePKIMessage(der);
    expect(message.header.sender).toEqual({ type: 'directoryName', value: parseCertificate(pki.server.certificate).subject });
    await expect(
      verifyProtection(message, { signature: { anchors: [pki.root.certificate] } }, { at: clock.date() }),
    ).resolves.toMatchObject({
      type: 'signature',
    });
  });
});

describe('RFC 9483 3.1: generalInfo', () => {
  it('implicitConfirm whose value is not NULL (INTEGER 0): error badRequest, not badDataFormat', async () => {
    const e = createEnv(pki);
    const generalInfo = [itavOf(oids.id_it_implicitConfirm, [0x02, 0x01, 0x00])];
    expect(generalInfo[0]?.type).toBe('invalid');
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair()), generalInfo });
    expect(expectErrorBody(response, ['badRequest'])).toMatch(/malformed/);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('confirmWaitTime as UTCTime in a request: error badRequest', async () => {
    const e = createEnv(pki);
    const utcTime = [0x17, 0x0d, ...new TextEncoder().encode('261201120000Z')];
    const { response } = await e.ask({
      body: await certBody('ir', await newKeyPair()),
      generalInfo: [itavOf(oids.id_it_confirmWaitTime, utcTime)],
    });
    expectErrorBody(response, ['badRequest']);
  });

  it('implicitConfirm together with confirmWaitTime in an ir: error badRequest (confirmWaitTime belongs to responses)', async () => {
    const e = createEnv(pki);
    const { response } = await e.ask({
      body: await certBody('ir', await newKeyPair()),
      generalInfo: [
        { type: 'implicitConfirm', infoValue: null },
        { type: 'confirmWaitTime', infoValue: new Date(clock.now() + 60_000) },
      ],
    });
    expectErrorBody(response, ['badRequest']);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it.each(['genm', 'certConf'] as const)('implicitConfirm in a %s: error badRequest', async (type) => {
    const e = createEnv(pki);
    const open = await openIr(e);
    const body = type === 'genm' ? genmBody() : await certConfBody(open.certificate);
    const follow = type === 'certConf' ? followUp(open) : {};
    const { response } = await e.ask({ body, ...follow, generalInfo: [{ type: 'implicitConfirm', infoValue: null }] });
    expectErrorBody(response, ['badRequest']);
  });

  it('certProfile in an rr (rp), or with more names than the ir has requests (error): badRequest', async () => {
    const e = createEnv(pki, { policy: { allowMacRevocation: true } });
    const open = await openIr(e);
    const rr = await e.ask({ body: rrBody(open.certificate), generalInfo: [{ type: 'certProfile', infoValue: ['device'] }] });
    expectRpRejection(rr.response, ['badRequest']);
    const ir = await e.ask({
      body: await certBody('ir', await newKeyPair()),
      generalInfo: [{ type: 'certProfile', infoValue: ['device', 'tlsClient'] }],
    });
    expectErrorBody(ir.response, ['badRequest']);
  });

  it('a genm item whose value has the wrong syntax (caCerts as an empty SEQUENCE): error badRequest', async () => {
    const e = createEnv(pki);
    const { response } = await e.ask({ body: genmBody([itavOf(oids.id_it_caCerts, [0x30, 0x00])]) });
    expectErrorBody(response, ['badRequest']);
  });
});

describe('RFC 9483 3.2: protection', () => {
  it('a signature that does not verify: error badMessageCheck', async () => {
    const e = createEnv(pki);
    const { message } = await buildRequest({ body: genmBody(), protection: pki.other.credential, now: clock.date() });
    const protection = message.protection!.slice();
    protection[protection.length - 1] = protection.at(-1)! ^ 0x01;
    expectErrorBody((await e.askMessage({ ...message, protection })).response, ['badMessageCheck']);
  });

  it('protectionAlg without protection, and protection without protectionAlg: error badMessageCheck', async () => {
    const e = createEnv(pki);
    const { message } = await buildRequest({ body: genmBody(), now: clock.date() });
    const { protection: _p, ...noProtection } = message;
    const { protectionAlg: _a, ...header } = message.header;
    for (const broken of [noProtection, { ...message, header }] as PKIMessage[]) {
      const { response } = await e.askMessage(broken);
      expectErrorBody(response, ['badMessageCheck']);
    }
  });

  it('an unknown protectionAlg: error badAlg', async () => {
    const e = createEnv(pki);
    const { message } = await buildRequest({ body: genmBody(), now: clock.date() });
    const { response } = await e.askMessage({ ...message, header: { ...message.header, protectionAlg: { algorithm: '1.2.3.4.5' } } });
    expectErrorBody(response, ['badAlg']);
  });
});

describe('RFC 9483 3.3: extraCerts', () => {
  it('a signature-protected message without extraCerts: error signerNotTrusted', async () => {
    const e = createEnv(pki);
    const { message } = await buildRequest({ body: genmBody(), protection: pki.other.credential, now: clock.date() });
    const { extraCerts: _x, ...bare } = message;
    expectErrorBody((await e.askMessage(bare)).response, ['signerNotTrusted']);
  });

  it('the signer certificate not in the first position of extraCerts: error badMessageCheck', async () => {
    const e = createEnv(pki);
    const { message } = await buildRequest({ body: genmBody(), protection: pki.other.credential, now: clock.date() });
    const { response } = await e.askMessage({ ...message, extraCerts: [...message.extraCerts!].reverse() });
    expectErrorBody(response, ['badMessageCheck']);
  });

  it('extraCerts without the chain to the trust anchor: error signerNotTrusted; accepted with requireExtraCertsChain false', async () => {
    const strict = createEnv(pki, { server: { protection: { untrusted: [pki.ca.certificate] } } });
    const { message } = await buildRequest({ body: genmBody(), protection: pki.other.credential, now: clock.date() });
    const signerOnly = { ...message, extraCerts: message.extraCerts!.slice(0, 1) };
    expectErrorBody((await strict.askMessage(signerOnly)).response, ['signerNotTrusted']);
    const lenient = createEnv(pki, {
      policy: { requireExtraCertsChain: false },
      server: { protection: { untrusted: [pki.ca.certificate] } },
    });
    expect((await lenient.askMessage(signerOnly)).response.body.type).toBe('genp');
  });
});
