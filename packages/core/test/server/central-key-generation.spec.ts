// Central key generation (RFC 9483 section 4.1.6), requested by hand with the codec: a template
// whose publicKey has the algorithm and an empty key, no POP. The private key comes back in an
// EnvelopedData, opened here with @cmpkit/protection: pwri for a MAC requester, kari for an EC
// and ktri for an RSA signature requester.
import { oids, parseName, type CertTemplate, type DecodedPKIMessage, type PKIBody } from '@cmpkit/codec';
import { defineProfile, profiles, type CertificateProfile } from '@cmpkit/ca';
import {
  computeCertHash,
  openEnvelopedPrivateKey,
  parseCertificate,
  type CmsDecryptionKey,
  type ProtectionCredential,
} from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { tlv } from './support/csr.js';
import { createTestPki, newKeyPair, RSA_2048, type Holder, type TestPki } from './support/pki.js';
import { createTestIssuer } from './support/test-issuer.js';
import { expectBoundTo, MAC, makeServer, send, SECRET, verifyResponse, type ServerSetup } from './support/wire.js';
import { decodeSubjectPublicKeyInfo } from '@cmpkit/codec';

const clock = fakeClock();
let pki: TestPki;
let rsaHolder: Holder;
let ecHolder: Holder;
let rsaSignOnly: Holder;

const P256 = tlv(0x06, Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07));

/** A holder of a certificate of `profile` (RSA or EC P-256 key). */
async function holderOf(subject: string, profile: CertificateProfile, rsa: boolean): Promise<Holder> {
  const keyPair = await newKeyPair(rsa ? RSA_2048 : undefined);
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
  const { certificate } = await pki.ca.issue({ template: { subject: parseName(subject), publicKey }, profile });
  return {
    keyPair,
    certificate,
    chain: [pki.ca.certificate, pki.root.certificate],
    credential: { privateKey: keyPair.privateKey, certificate, chain: [pki.ca.certificate] },
  };
}

beforeAll(async () => {
  pki = await createTestPki(clock.date);
  // RFC 9483 sections 4.1.6.1 and 4.1.6.2: the requester's certificate must allow key transport (RSA) or key agreement (EC).
  const transport = defineProfile({ name: 'keyTransport', keyUsage: ['digitalSignature', 'keyEncipherment'] });
  const agreement = defineProfile({ name: 'keyAgreement', keyUsage: ['digitalSignature', 'keyAgreement'] });
  rsaHolder = await holderOf('/O=cmpkit test/CN=rsa-holder', transport, true);
  ecHolder = await holderOf('/O=cmpkit test/CN=ec-holder', agreement, false);
  rsaSignOnly = await holderOf('/O=cmpkit test/CN=rsa-sign-only', profiles.device, true);
});

function centralTemplate(subject: string, withAlgorithm = true): CertTemplate {
  const template: CertTemplate = { subject: parseName(subject) };
  if (withAlgorithm) {
    template.publicKey = { algorithm: { algorithm: oids.id_ecPublicKey, parameters: { der: P256 } }, subjectPublicKey: new Uint8Array(0) };
  }
  return template;
}

function certBody(type: 'ir' | 'cr', template: CertTemplate): PKIBody {
  return { type, content: [{ certReq: { certReqId: 0, certTemplate: template } }] };
}

async function expectKeyFitsCertificate(pkcs8: Uint8Array, certificate: Uint8Array): Promise<void> {
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8.slice(), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const publicKey = await crypto.subtle.importKey(
    'spki',
    parseCertificate(certificate).subjectPublicKeyInfoDer.slice(),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['verify'],
  );
  const data = new TextEncoder().encode('central key generation');
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data);
  expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, data)).toBe(true);
}

async function centralEnrollment(
  type: 'ir' | 'cr',
  protection: ProtectionCredential,
  key: CmsDecryptionKey,
  withAlgorithm = true,
  setup: Partial<ServerSetup> = {},
) {
  const issuer = createTestIssuer(pki);
  const server = makeServer({ pki, issuer, ...setup });
  const { request, response } = await send(server, {
    body: certBody(type, centralTemplate('/O=cmpkit test/CN=central', withAlgorithm)),
    protection,
    now: clock.date(),
  });
  expectBoundTo(response, request);
  expect(response.body.type).toBe(type === 'ir' ? 'ip' : 'cp');
  expect(response.header.pvno).toBe(3);
  const rep = (response.body as Extract<PKIBody, { type: 'ip' }>).content.response[0]!;
  expect(rep.status.status).toBe(0);
  const pair = rep.certifiedKeyPair!;
  const certificate = (pair.certOrEncCert as { value: { der: Uint8Array } }).value.der;
  expect(pair.privateKey?.type).toBe('envelopedData');
  const opened = await openEnvelopedPrivateKey(pair.privateKey!, { key });
  expect(opened.form).toBe('envelopedData');
  if (opened.form !== 'envelopedData') throw new Error('unreachable');
  expect(opened.signerCertificate).toEqual(pki.server.certificate);
  const entry = issuer.entryOf(certificate)!;
  expect(entry.request.centralKeyGeneration).toBe(true);
  expect(entry.request.publicKey).toBeUndefined();
  expect(opened.privateKeyPkcs8).toEqual(issuer.generatedKeys.get(entry.serialNumber.toString(16)));
  await expectKeyFitsCertificate(opened.privateKeyPkcs8, certificate);
  return { issuer, server, request, response, certificate, protection };
}

async function confirm(run: Awaited<ReturnType<typeof centralEnrollment>>): Promise<DecodedPKIMessage> {
  const { certHash } = await computeCertHash(run.certificate);
  const { request, response } = await send(run.server, {
    body: { type: 'certConf', content: [{ certHash, certReqId: 0 }] },
    protection: run.protection,
    transactionID: run.request.header.transactionID!,
    recipNonce: run.response.header.senderNonce!,
    now: clock.date(),
  });
  expectBoundTo(response, request);
  return response;
}

describe('central key generation', () => {
  it('MAC requester: the key is enveloped for the shared secret (pwri), signed by the server; certConf confirms', async () => {
    const run = await centralEnrollment('ir', MAC, { password: SECRET });
    expect(await verifyResponse(run.response, pki)).toBe('mac');
    const pkiconf = await confirm(run);
    expect(pkiconf.body.type).toBe('pkiconf');
    expect(run.issuer.entryOf(run.certificate)?.confirmed).toBe(true);
  });

  it('MAC requester without a key algorithm in the template (publicKey omitted)', async () => {
    await centralEnrollment('ir', MAC, { password: SECRET }, false);
  });

  it('EC signature requester: the key is enveloped for its certificate (kari)', async () => {
    const run = await centralEnrollment('cr', ecHolder.credential, {
      privateKey: ecHolder.keyPair.privateKey,
      certificate: ecHolder.certificate,
    });
    expect(await verifyResponse(run.response, pki)).toBe('signature');
    expect((await confirm(run)).body.type).toBe('pkiconf');
  });

  it('RSA signature requester: the key is enveloped for its certificate (ktri)', async () => {
    const run = await centralEnrollment('cr', rsaHolder.credential, {
      privateKey: rsaHolder.keyPair.privateKey,
      certificate: rsaHolder.certificate,
    });
    expect((await confirm(run)).body.type).toBe('pkiconf');
  });

  it('the wrong password does not open the key', async () => {
    const issuer = createTestIssuer(pki);
    const server = makeServer({ pki, issuer });
    const { response } = await send(server, { body: certBody('ir', centralTemplate('/CN=central')), now: clock.date() });
    const rep = (response.body as Extract<PKIBody, { type: 'ip' }>).content.response[0]!;
    await expect(openEnvelopedPrivateKey(rep.certifiedKeyPair!.privateKey!, { key: { password: 'not the secret' } })).rejects.toMatchObject(
      { failInfo: ['badMessageCheck'] },
    );
  });

  it('a central key generation request carrying a POP is refused with badPOP', async () => {
    const issuer = createTestIssuer(pki);
    const server = makeServer({ pki, issuer });
    const body: PKIBody = {
      type: 'ir',
      content: [{ certReq: { certReqId: 0, certTemplate: centralTemplate('/CN=central') }, popo: { type: 'raVerified', value: null } }],
    };
    const { response } = await send(server, { body, now: clock.date() });
    const rep = (response.body as Extract<PKIBody, { type: 'ip' }>).content.response[0]!;
    expect(rep.status).toMatchObject({ status: 2, failInfo: ['badPOP'] });
    expect(issuer.requests).toHaveLength(0);
  });

  it.each([
    ['an EC certificate without keyAgreement (kari impossible)', () => pki.other],
    ['an RSA certificate without keyEncipherment (ktri impossible)', () => rsaSignOnly],
  ])('a signature requester with %s: rejected with notAuthorized before anything is issued', async (_label, holder) => {
    const issuer = createTestIssuer(pki);
    const server = makeServer({ pki, issuer });
    const { response } = await send(server, {
      body: certBody('cr', centralTemplate('/CN=central')),
      protection: holder().credential,
      now: clock.date(),
    });
    const rep = (response.body as Extract<PKIBody, { type: 'cp' }>).content.response[0]!;
    expect(rep.status).toMatchObject({ status: 2, failInfo: ['notAuthorized'] });
    expect(rep.certifiedKeyPair).toBeUndefined();
    expect(issuer.requests).toHaveLength(0);
  });

  it('MAC requester while responses are signed (macResponses signature): still enveloped for the shared secret', async () => {
    const run = await centralEnrollment('ir', MAC, { password: SECRET }, true, { protection: { macResponses: 'signature' } });
    expect(await verifyResponse(run.response, pki)).toBe('signature');
  });

  it('a server without a signing key cannot deliver the key: systemUnavail, and the issued certificate is revoked', async () => {
    const issuer = createTestIssuer(pki);
    const server = makeServer({ pki, issuer, protection: { signer: undefined as never } });
    const { response } = await send(server, { body: certBody('ir', centralTemplate('/CN=central')), now: clock.date() });
    const rep = (response.body as Extract<PKIBody, { type: 'ip' }>).content.response[0]!;
    expect(rep.status).toMatchObject({ status: 2, failInfo: ['systemUnavail'] });
    const [entry] = [...issuer.issued.values()];
    expect(entry?.confirmed).toBe(false);
    expect(entry?.revoked).toBeDefined();
  });

  it('with a pending issuer: the key comes with the final response to pollReq', async () => {
    const issuer = createTestIssuer(pki, { pendingPolls: 1, checkAfter: 1 });
    const server = makeServer({ pki, issuer });
    const first = await send(server, { body: certBody('ir', centralTemplate('/CN=central-polled')), now: clock.date() });
    expect((first.response.body as Extract<PKIBody, { type: 'ip' }>).content.response[0]?.status.status).toBe(3);
    const poll = await send(server, {
      body: { type: 'pollReq', content: [{ certReqId: 0 }] },
      transactionID: first.request.header.transactionID!,
      recipNonce: first.response.header.senderNonce!,
      now: clock.date(),
    });
    expectBoundTo(poll.response, poll.request);
    expect(poll.response.header.pvno).toBe(3);
    const rep = (poll.response.body as Extract<PKIBody, { type: 'ip' }>).content.response[0]!;
    const opened = await openEnvelopedPrivateKey(rep.certifiedKeyPair!.privateKey!, { key: { password: SECRET } });
    const certificate = (rep.certifiedKeyPair!.certOrEncCert as { value: { der: Uint8Array } }).value.der;
    await expectKeyFitsCertificate(opened.privateKeyPkcs8, certificate);
  });
});
