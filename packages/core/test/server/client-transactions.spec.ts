// The server engine driven by cmpkit's own client over loopbackTransport: every end-entity
// operation of RFC 9483 section 4, on a fake clock, against a test Issuer built on @cmpkit/ca.
import { oids, parseName, type InfoTypeAndValue } from '@cmpkit/codec';
import { createClient, CRLReason, loopbackTransport, RemoteError, type ClientInit } from '@cmpkit/core';
import { parseCertificate, verifyCertificatePath, type SignatureCredential } from '@cmpkit/protection';
import { fakeClock, settleWithClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCsr } from './support/csr.js';
import { createTestPki, newKeyPair, RSA_2048, type TestPki } from './support/pki.js';
import { createTestIssuer, sameBytes, type TestIssuerOptions } from './support/test-issuer.js';
import { MAC, makeServer, PBM, recordingTransport, type ServerSetup } from './support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

function setup(options: { issuer?: TestIssuerOptions; server?: Partial<ServerSetup>; client?: Partial<ClientInit> } = {}) {
  const issuer = createTestIssuer(pki, options.issuer);
  const server = makeServer({ pki, issuer, ...options.server });
  const recorder = recordingTransport(server);
  const client = createClient({
    transport: recorder.transport,
    credential: MAC,
    clock: clock.date,
    sleep: clock.sleep,
    trustAnchors: [pki.root.certificate],
    ...options.client,
  });
  return { issuer, server, recorder, client };
}

function protectionOid(message: { header: { protectionAlg?: { algorithm: string } } }): string | undefined {
  return message.header.protectionAlg?.algorithm;
}

/** Enrolls a first certificate with the shared secret; returns it with its key as a signature credential. */
async function enrolled(s = setup()): Promise<SignatureCredential & { keyPair: CryptoKeyPair }> {
  const keyPair = await newKeyPair();
  const { certificate } = await s.client.enroll({ keyPair, subject: parseName('/O=cmpkit test/CN=device-0001') });
  return { keyPair, privateKey: keyPair.privateKey, certificate, chain: [pki.ca.certificate] };
}

function signatureClient(s: ReturnType<typeof setup>, credential: SignatureCredential) {
  return createClient({
    transport: s.recorder.transport,
    credential,
    trust: { signature: { anchors: [pki.root.certificate] } },
    clock: clock.date,
    sleep: clock.sleep,
    trustAnchors: [pki.root.certificate],
  });
}

describe('enrollment with a shared secret (ir)', () => {
  it('ir with PBMAC1: ip answered with PBMAC1, certConf/pkiConf, the certificate confirmed', async () => {
    const s = setup();
    const keyPair = await newKeyPair();
    const result = await s.client.enroll({ keyPair, subject: parseName('/O=cmpkit test/CN=device-0001') });

    expect(s.recorder.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
    for (const { request, response } of s.recorder.log) {
      expect(protectionOid(request)).toBe(oids.id_PBMAC1);
      expect(protectionOid(response)).toBe(oids.id_PBMAC1);
      expect(response.header.senderKID).toEqual(new TextEncoder().encode('3078'));
    }
    const ip = s.recorder.log[0]!.response;
    expect(ip.header.generalInfo?.map((i) => i.type)).toEqual(['confirmWaitTime']);
    expect(ip.extraCerts?.map((c) => c.der)).toEqual([pki.ca.certificate]);
    expect(result.caPubs).toEqual([pki.root.certificate]);
    expect(result.implicitConfirmGranted).toBe(false);
    expect(result.path?.at(-1)).toEqual(pki.root.certificate);
    const entry = s.issuer.entryOf(result.certificate);
    expect(entry?.confirmed).toBe(true);
    expect(entry?.revoked).toBeUndefined();
    expect(entry?.request.bodyType).toBe('ir');
    expect(entry?.request.requester.kind).toBe('mac');
  });

  it('ir with PasswordBasedMac: the response follows the request with PasswordBasedMac (OpenSSL 3.0 knows no PBMAC1)', async () => {
    const s = setup({ client: { credential: PBM } });
    const result = await s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=pbm-device') });
    expect(s.recorder.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
    for (const { request, response } of s.recorder.log) {
      expect(protectionOid(request)).toBe(oids.id_PasswordBasedMac);
      expect(protectionOid(response)).toBe(oids.id_PasswordBasedMac);
    }
    expect(s.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
  });

  it('an explicit protection.mac of the server wins over the request algorithm', async () => {
    const s = setup({ client: { credential: PBM }, server: { protection: { mac: { algorithm: 'PBMAC1' } } } });
    await s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=pbm-device') });
    expect(s.recorder.log.map((r) => protectionOid(r.response))).toEqual([oids.id_PBMAC1, oids.id_PBMAC1]);
  });

  it('implicitConfirm asked for but not granted by policy: certConf is still exchanged', async () => {
    const s = setup({ client: { implicitConfirm: true } });
    const result = await s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=implicit-1') });
    expect(s.recorder.log[0]!.request.header.generalInfo?.map((i) => i.type)).toEqual(['implicitConfirm']);
    expect(s.recorder.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
    expect(result.implicitConfirmGranted).toBe(false);
    expect(s.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
  });

  it('implicitConfirm granted with policy.grantImplicitConfirm: no certConf, the certificate confirmed at once', async () => {
    const s = setup({ client: { implicitConfirm: true }, server: { policy: { grantImplicitConfirm: true } } });
    const result = await s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=implicit-2') });
    expect(s.recorder.types()).toEqual(['ir>ip']);
    expect(s.recorder.log[0]!.response.header.generalInfo?.map((i) => i.type)).toEqual(['implicitConfirm']);
    expect(result.implicitConfirmGranted).toBe(true);
    expect(s.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
  });

  it('grantImplicitConfirm alone does not skip certConf when the client did not ask', async () => {
    const s = setup({ server: { policy: { grantImplicitConfirm: true } } });
    await s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=implicit-3') });
    expect(s.recorder.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
  });

  it('ir without a subject (subjectAltName only): the NULL-DN as subject (RFC 9483 4.1.1), POP over certReq', async () => {
    const s = setup();
    const result = await s.client.enroll({ keyPair: await newKeyPair(), subjectAltNames: [{ type: 'dNSName', value: 'device.example' }] });
    const ir = s.recorder.log[0]!.request;
    const msg = ir.body.type === 'ir' ? ir.body.content[0] : undefined;
    expect(msg?.certReq.certTemplate.subject).toEqual([]);
    expect(msg?.popo?.type === 'signature' && msg.popo.value.poposkInput).toBeUndefined();
    expect(s.recorder.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
    expect(parseCertificate(result.certificate).subject).toEqual([]);
  });

  it('the HTTP path /p/<label> selects the profile when generalInfo names none', async () => {
    const issuer = createTestIssuer(pki);
    const server = makeServer({ pki, issuer });
    const client = createClient({
      transport: loopbackTransport(server.handle, { path: '/p/tlsClient' }),
      credential: MAC,
      clock: clock.date,
      trustAnchors: [pki.root.certificate],
    });
    const result = await client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=by-path') });
    expect(issuer.entryOf(result.certificate)?.request.profile).toBe('tlsClient');
  });

  it('certProfile in generalInfo selects the issuer profile', async () => {
    const s = setup();
    const result = await s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=tls-client'), certProfile: 'tlsClient' });
    expect(s.issuer.entryOf(result.certificate)?.request.profile).toBe('tlsClient');
    expect(parseCertificate(result.certificate).extKeyUsage).toEqual([oids.id_kp_clientAuth]);
  });
});

describe('requests signed with an issued certificate', () => {
  it('cr signed with the issued certificate: cp, the requester is the certificate holder', async () => {
    const s = setup();
    const credential = await enrolled(s);
    const client = signatureClient(s, credential);
    const result = await client.enroll({
      bodyType: 'cr',
      keyPair: await newKeyPair(),
      subject: parseName('/O=cmpkit test/CN=device-0001'),
    });
    expect(s.recorder.types().slice(2)).toEqual(['cr>cp', 'certConf>pkiconf']);
    for (const { response } of s.recorder.log.slice(2)) {
      expect(response.extraCerts?.[0]?.der).toEqual(pki.server.certificate);
      expect(protectionOid(response)).toBe(oids.ecdsa_with_SHA256);
    }
    const entry = s.issuer.entryOf(result.certificate)!;
    expect(entry.confirmed).toBe(true);
    expect(entry.request.requester.kind).toBe('signature');
    if (entry.request.requester.kind === 'signature') {
      expect(entry.request.requester.certificate).toEqual(credential.certificate);
      expect(entry.request.requester.external).toBe(false);
    }
  });

  it('kur signed with the certificate being updated: kup, oldCertificate handed to the issuer', async () => {
    const s = setup();
    const credential = await enrolled(s);
    const client = signatureClient(s, credential);
    const newKeys = await newKeyPair();
    const result = await client.keyUpdate({ keyPair: newKeys, oldCertificate: credential.certificate });
    expect(s.recorder.types().slice(2)).toEqual(['kur>kup', 'certConf>pkiconf']);
    const entry = s.issuer.entryOf(result.certificate)!;
    expect(entry.request.bodyType).toBe('kur');
    expect(entry.request.oldCertificate).toEqual(credential.certificate);
    expect(parseCertificate(result.certificate).subject).toEqual(parseCertificate(credential.certificate).subject);
    expect(entry.confirmed).toBe(true);
  });

  it('p10cr with a PKCS#10 request built with WebCrypto: cp for the CSR key and subject', async () => {
    const s = setup();
    const keyPair = await newKeyPair(RSA_2048);
    const csr = await buildCsr(keyPair, '/O=cmpkit test/CN=p10-device');
    const result = await s.client.enroll({ bodyType: 'p10cr', csr });
    expect(s.recorder.types()).toEqual(['p10cr>cp', 'certConf>pkiconf']);
    const cp = s.recorder.log[0]!.response;
    expect(cp.body.type === 'cp' && cp.body.content.response[0]?.certReqId).toBe(-1);
    const parsed = parseCertificate(result.certificate);
    expect(parsed.subjectPublicKeyInfoDer).toEqual(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
    const entry = s.issuer.entryOf(result.certificate)!;
    expect(entry.request.csr).toEqual(csr);
    expect(entry.confirmed).toBe(true);
  });

  it('p10cr with an ECDSA CSR', async () => {
    const s = setup();
    const keyPair = await newKeyPair();
    const result = await s.client.enroll({ bodyType: 'p10cr', csr: await buildCsr(keyPair, '/CN=p10-ec') });
    expect(s.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
  });

  it('rr by the holder: rp accepted, the issuer revokes with the reason given', async () => {
    const s = setup();
    const credential = await enrolled(s);
    const client = signatureClient(s, credential);
    const result = await client.revoke({ certificate: credential.certificate, reason: CRLReason.keyCompromise });
    expect(result.status).toBe(0);
    expect(s.recorder.types().at(-1)).toBe('rr>rp');
    expect(s.issuer.entryOf(credential.certificate)?.revoked).toEqual({ by: 'rr', reason: 1 });
    // A second rr of the same certificate: certRevoked in the rp.
    const again = await client.revoke({ certificate: credential.certificate }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RemoteError);
    expect((again as RemoteError).failInfoBits).toEqual(['certRevoked']);
  });
});

describe('general messages', () => {
  it('caCerts: the issuing CA and the root', async () => {
    const s = setup();
    expect(await s.client.getCaCertificates()).toEqual([pki.ca.certificate, pki.root.certificate]);
    expect(s.recorder.types()).toEqual(['genm>genp']);
  });

  it('rootCaCert -> rootCaKeyUpdate from cross certificates, verified by the client', async () => {
    const s = setup();
    const update = await s.client.getRootCaUpdate(pki.root.certificate);
    expect(update?.newWithNew).toEqual(pki.newRoot.certificate);
    expect(update?.newWithOld && update.oldWithNew).toBeTruthy();
    await verifyCertificatePath(update!.newWithOld!, { anchors: [pki.root.certificate], at: clock.date() });
    // No update for a root the issuer does not know: rootCaKeyUpdate without value.
    expect(await s.client.getRootCaUpdate(pki.newRoot.certificate)).toBeUndefined();
    const genp = s.recorder.log[1]!.response;
    expect(genp.body.type === 'genp' && genp.body.content).toEqual([{ type: 'rootCaKeyUpdate' }]);
  });

  it('certReqTemplate for the profile asked for', async () => {
    const s = setup();
    const template = await s.client.getCertReqTemplate();
    expect(template?.keySpec?.[0]?.type).toBe('algId');
    expect(await s.client.getCertReqTemplate({ certProfile: 'none' })).toBeUndefined();
  });

  it('crlStatusList -> crls signed by the issuing CA, listing a revoked certificate', async () => {
    const s = setup();
    const credential = await enrolled(s);
    await signatureClient(s, credential).revoke({ certificate: credential.certificate });
    const crls = await s.client.getCrls([
      { source: { type: 'issuer', value: [{ type: 'directoryName', value: parseCertificate(pki.ca.certificate).subject }] } },
    ]);
    expect(crls).toHaveLength(1);
    expect(crls[0]![0]).toBe(0x30);
  });

  it('an unknown infotype is listed in unsupportedOIDs (RFC 9810 5.3.19.7), never a crash; known ones beside it are answered', async () => {
    const s = setup();
    const unknown: InfoTypeAndValue = { type: 'other', infoType: '1.3.6.1.4.1.99999.1', infoValue: { der: Uint8Array.of(0x05, 0x00) } };
    const unsupported = { type: 'unsupportedOIDs', infoValue: ['1.3.6.1.4.1.99999.1'] };
    expect(await s.client.generalMessage([unknown])).toEqual([unsupported]);
    const both = await s.client.generalMessage([unknown, { type: 'caCerts' }]);
    expect(both.map((i) => i.type)).toEqual(['caCerts', 'unsupportedOIDs']);
    // A known infotype the server does not serve (KEM ciphertext without KEM keys): unsupported as well.
    expect(await s.client.generalMessage([{ type: 'kemCiphertextInfo' }])).toEqual([
      { type: 'unsupportedOIDs', infoValue: [oids.id_it_kemCiphertextInfo] },
    ]);
  });
});

describe('delayed delivery (polling)', () => {
  it('a pending issuer: ip waiting, pollReq/pollRep honouring checkAfter on the fake clock, then ip and certConf', async () => {
    const s = setup({ issuer: { pendingPolls: 2, checkAfter: 5 } });
    const started = clock.now();
    const result = await settleWithClock(s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=polled') }), clock);
    expect(s.recorder.types()).toEqual(['ir>ip', 'pollReq>pollRep', 'pollReq>ip', 'certConf>pkiconf']);
    const first = s.recorder.log[0]!.response;
    expect(first.body.type === 'ip' && first.body.content.response[0]?.status).toEqual({
      status: 3,
      statusString: ['waiting for approval'],
    });
    const pollRep = s.recorder.log[1]!.response;
    expect(pollRep.body.type === 'pollRep' && pollRep.body.content).toEqual([{ certReqId: 0, checkAfter: 5 }]);
    expect(clock.now() - started).toBeGreaterThanOrEqual(5000);
    expect(s.issuer.polls).toHaveLength(2);
    const final = s.recorder.log[2]!.response;
    expect(final.extraCerts?.map((c) => c.der)).toEqual([pki.ca.certificate]);
    expect(final.body.type === 'ip' && final.body.content.caPubs?.map((c) => c.der)).toEqual([pki.root.certificate]);
    expect(s.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
  });
});

describe('grantedWithMods', () => {
  it.each([
    ['at once', 0],
    ['after polling', 1],
  ])('an issuer reporting a modified certificate: status grantedWithMods (%s)', async (_label, pendingPolls) => {
    const s = setup({ issuer: { modified: true, pendingPolls, checkAfter: 1 } });
    const result = await settleWithClock(s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=modified') }), clock);
    expect(result.status).toBe(1);
    expect(s.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
  });
});

describe('certificate checks in the client feed back to the server', () => {
  it('a certificate the EE rejects (onCertificate) is revoked through a negative certConf', async () => {
    const s = setup({ client: { onCertificate: () => ({ accept: false, failInfo: 'badCertTemplate', reason: 'not what I asked for' }) } });
    await expect(s.client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=rejected') })).rejects.toThrow(/rejected/);
    expect(s.recorder.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
    const [entry] = [...s.issuer.issued.values()];
    expect(entry?.confirmed).toBe(false);
    expect(entry?.confirmReason).toBe('not what I asked for');
    expect(entry?.revoked).toBeDefined();
  });

  it('the issued chain verifies to the root', async () => {
    const s = setup();
    const { certificate } = await enrolled(s);
    const path = await verifyCertificatePath(certificate, {
      anchors: [pki.root.certificate],
      untrusted: [pki.ca.certificate],
      at: clock.date(),
    });
    expect(sameBytes(path.anchor, pki.root.certificate)).toBe(true);
    expect(path.certificates).toHaveLength(3);
  });
});
