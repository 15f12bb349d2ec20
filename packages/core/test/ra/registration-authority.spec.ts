// device -> RA -> CA over loopback, on a fake clock: the RA (createRegistrationAuthority) in each
// mode of RFC 9483 section 5 in front of the server engine with the test issuer.
import { decodePKIMessage, parseName, type DecodedPKIMessage, type PKIMessage } from '@cmpkit/codec';
import {
  createClient,
  createRegistrationAuthority,
  rejectCertificate,
  memorySecretStore,
  RemoteError,
  RequestRejectedError,
  TransportError,
  type CmpClient,
  type RaMode,
  type RegistrationAuthorityInit,
} from '@cmpkit/core';
import { type SignatureCredential } from '@cmpkit/protection';
import { fakeClock, rejection, settleWithClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, newKeyPair, type Holder, type TestPki } from '../server/support/pki.js';
import { buildCsr } from '../server/support/csr.js';
import { createTestIssuer, type TestIssuer } from '../server/support/test-issuer.js';
import { makeServer, MAC, REF, SECRET } from '../server/support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

const RA_NAME = parseName('/O=cmpkit test/CN=Test RA');

/** The CA's side of the upstream link: records what reached the CA, can be taken down. */
function upstreamLink(handle: (request: Uint8Array) => Promise<Uint8Array>) {
  const seen: { bytes: Uint8Array; message: DecodedPKIMessage; response: DecodedPKIMessage }[] = [];
  const link = {
    down: false,
    seen,
    types: () => seen.map((s) => `${s.message.body.type}>${s.response.body.type}`),
    transport: {
      async send(request: Uint8Array): Promise<Uint8Array> {
        if (link.down) throw new TransportError('connect ECONNREFUSED 127.0.0.1 (test: upstream down)');
        const response = await handle(request.slice());
        seen.push({ bytes: request.slice(), message: decodePKIMessage(request), response: decodePKIMessage(response) });
        return response;
      },
    },
  };
  return link;
}

interface Chain {
  issuer: TestIssuer;
  link: ReturnType<typeof upstreamLink>;
  device: CmpClient;
  deviceAt(credential: SignatureCredential): CmpClient;
  raTransport: { send(request: Uint8Array): Promise<Uint8Array> };
}

function chain(
  options: { mode?: RaMode; raHolder?: Holder; ra?: Partial<RegistrationAuthorityInit>; acceptRAVerified?: boolean } = {},
): Chain {
  const issuer = createTestIssuer(pki);
  const ca = makeServer({ pki, issuer, policy: { acceptRAVerified: options.acceptRAVerified ?? true } });
  const link = upstreamLink((bytes) => ca.handle(bytes));
  const raHolder = options.raHolder ?? pki.ra;
  const upstream = createClient({
    transport: link.transport,
    credential: raHolder.credential,
    trust: { signature: { anchors: [pki.root.certificate] } },
    trustAnchors: [pki.root.certificate],
    clock: clock.date,
    sleep: clock.sleep,
  });
  const ra = createRegistrationAuthority({
    name: RA_NAME,
    protection: { signer: raHolder.credential, secrets: memorySecretStore({ [REF]: SECRET }), trustAnchors: [pki.root.certificate] },
    upstream,
    mode: options.mode ?? 'reprotect',
    clock: clock.date,
    sleep: clock.sleep,
    ...options.ra,
  });
  const raTransport = { send: (request: Uint8Array) => ra.handle(request.slice()) };
  const common = { transport: raTransport, clock: clock.date, sleep: clock.sleep, trustAnchors: [pki.root.certificate] };
  return {
    issuer,
    link,
    raTransport,
    device: createClient({ ...common, credential: MAC }),
    deviceAt: (credential) =>
      createClient({
        ...common,
        credential,
        trust: { signature: { anchors: [pki.root.certificate] } },
      }),
  };
}

async function enrollDevice(c: Chain, cn = 'device-0001') {
  const keyPair = await newKeyPair();
  const result = await settleWithClock(c.device.enroll({ keyPair, subject: parseName(`/O=cmpkit test/CN=${cn}`) }), clock, 10);
  const credential: SignatureCredential = { privateKey: keyPair.privateKey, certificate: result.certificate, chain: [pki.ca.certificate] };
  return { keyPair, result, credential };
}

function signerSubjectOf(message: PKIMessage): string {
  return JSON.stringify(message.header.sender);
}

describe('ir with MAC at the device, through the RA', () => {
  it('forward: the CA gets the device request byte for byte, the device the CA answer unchanged', async () => {
    const c = chain({ mode: 'forward' });
    const sent: Uint8Array[] = [];
    const answers: Uint8Array[] = [];
    const tapped = createClient({
      transport: {
        send: async (request) => {
          sent.push(request.slice());
          const answer = await c.raTransport.send(request);
          answers.push(answer.slice());
          return answer;
        },
      },
      credential: MAC,
      clock: clock.date,
      sleep: clock.sleep,
      trustAnchors: [pki.root.certificate],
    });
    const { certificate } = await tapped.enroll({ keyPair: await newKeyPair(), subject: parseName('/O=cmpkit test/CN=device-0001') });
    expect(c.link.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
    expect(c.link.seen.map((s) => s.bytes)).toEqual(sent);
    expect(answers[0]).toEqual(c.link.seen[0]!.response.raw.message);
    const entry = c.issuer.entryOf(certificate);
    expect(entry?.request.requester.kind).toBe('mac');
    expect(entry?.confirmed).toBe(true);
  });

  it('nested: the RA adds its protection around the unchanged request (transactionID and senderNonce copied); the CA answers the inner message', async () => {
    const c = chain({ mode: 'nested' });
    const { result } = await enrollDevice(c);
    // RFC 9483 section 5.2.2.1: the CA answers the message the RA protected, as the device expects it.
    expect(c.link.types()).toEqual(['nested>ip', 'nested>pkiconf']);
    const first = c.link.seen[0]!;
    expect(first.message.header.protectionAlg).toBeDefined();
    expect(signerSubjectOf(first.message)).toBe(JSON.stringify({ type: 'directoryName', value: RA_NAME }));
    const inner = first.message.body.type === 'nested' ? (first.message.body.content[0] as DecodedPKIMessage) : undefined;
    expect(inner?.body.type).toBe('ir');
    expect(inner?.header.transactionID).toEqual(first.message.header.transactionID);
    expect(inner?.header.senderNonce).toEqual(first.message.header.senderNonce);
    const entry = c.issuer.entryOf(result.certificate);
    expect(entry?.request.requester.kind).toBe('mac');
    expect(entry?.confirmed).toBe(true);
  });

  it('reprotect: the CA gets an ir signed by the RA carrying the device POP unchanged', async () => {
    const c = chain({ mode: 'reprotect' });
    const { result } = await enrollDevice(c);
    expect(c.link.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
    const ir = c.link.seen[0]!.message;
    expect(ir.body.type === 'ir' && ir.body.content[0]?.popo?.type).toBe('signature');
    const entry = c.issuer.entryOf(result.certificate);
    expect(entry?.request.requester.kind).toBe('signature');
    expect(entry?.request.requester.kind === 'signature' && entry.request.requester.certificate).toEqual(pki.ra.certificate);
    expect(entry?.confirmed).toBe(true);
    expect(result.caPubs).toEqual([pki.root.certificate]);
  });

  it('raVerified: the RA checks POP, sends raVerified and the original request in origPKIMessage', async () => {
    const c = chain({ mode: 'raVerified' });
    const { result } = await enrollDevice(c);
    const ir = c.link.seen[0]!.message;
    expect(ir.body.type === 'ir' && ir.body.content[0]?.popo?.type).toBe('raVerified');
    const orig = ir.header.generalInfo?.find((i) => i.type === 'origPKIMessage');
    expect(orig?.type === 'origPKIMessage' && orig.infoValue?.[0]?.body.type).toBe('ir');
    expect(c.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
  });

  it('reprotect with a template amended by the RA policy goes as raVerified, granted with mods', async () => {
    const c = chain({
      mode: 'reprotect',
      ra: {
        authorizer: {
          authorizeCertification: async (request) => ({ ...request.template, subject: parseName('/O=cmpkit test/CN=renamed-by-ra') }),
        },
      },
    });
    const { result } = await enrollDevice(c);
    const ir = c.link.seen[0]!.message;
    expect(ir.body.type === 'ir' && ir.body.content[0]?.popo?.type).toBe('raVerified');
    expect(c.issuer.entryOf(result.certificate)?.request.template.subject).toEqual(parseName('/O=cmpkit test/CN=renamed-by-ra'));
  });

  it('forward with an RA policy that refuses the template: the device gets the refusal, the CA nothing', async () => {
    const c = chain({
      mode: 'forward',
      ra: {
        authorizer: {
          authorizeCertification: async () => {
            throw new RequestRejectedError('badCertTemplate', 'not on this plant');
          },
        },
      },
    });
    const error = await rejection(enrollDevice(c));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).failInfo).toContain('badCertTemplate');
    expect(c.link.seen).toHaveLength(0);
  });

  it('the RA refuses a device whose MAC it cannot verify, before anything reaches the CA', async () => {
    const c = chain({ mode: 'forward' });
    const stranger = createClient({
      transport: c.raTransport,
      credential: { secret: 'wrong', senderKID: REF },
      clock: clock.date,
      sleep: clock.sleep,
    });
    // The RA's error answer is MAC-protected with the secret it knows, which this client cannot verify.
    const error = await rejection(stranger.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=x') }));
    expect(String(error)).toMatch(/PBMAC1|protection/);
    expect(c.link.seen).toHaveLength(0);
  });
});

describe('the RA on the device side of its own transaction (reprotect)', () => {
  it('p10cr: the PKCS#10 request goes to the CA unchanged, signed by the RA', async () => {
    const c = chain({ mode: 'reprotect' });
    const keyPair = await newKeyPair();
    const csr = await buildCsr(keyPair, '/O=cmpkit test/CN=p10-device');
    const result = await settleWithClock(c.device.enroll({ bodyType: 'p10cr', csr }), clock, 10);
    const upstream = c.link.seen[0]!.message;
    expect(upstream.body.type === 'p10cr' && upstream.body.content.der).toEqual(csr);
    expect(c.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
  });

  it('a certificate the device rejects in certConf is revoked at the CA by the RA', async () => {
    const c = chain({ mode: 'reprotect' });
    const refusing = createClient({
      transport: c.raTransport,
      credential: MAC,
      clock: clock.date,
      sleep: clock.sleep,
      trustAnchors: [pki.root.certificate],
      onCertificate: () => rejectCertificate('wrong subject for this device'),
    });
    await rejection(
      settleWithClock(refusing.enroll({ keyPair: await newKeyPair(), subject: parseName('/O=cmpkit test/CN=refused') }), clock, 10),
    );
    const [entry] = [...c.issuer.issued.values()];
    expect(entry?.confirmed).toBe(true); // the RA confirmed it to the CA ...
    expect(entry?.revoked?.reason).toBe(5); // ... and revoked it when the device said no
    expect(c.link.types()).toEqual(['ir>ip', 'certConf>pkiconf', 'rr>rp']);
  });
});

describe.each<RaMode>(['forward', 'nested', 'reprotect', 'raVerified'])('kur, rr and genm through the RA (%s)', (mode) => {
  it('kur signed with the current certificate gives a new certificate for the same subject', async () => {
    const c = chain({ mode });
    const first = await enrollDevice(c, `kur-${mode}`);
    const updater = c.deviceAt(first.credential);
    const next = await settleWithClock(
      updater.keyUpdate({ keyPair: await newKeyPair(), oldCertificate: first.result.certificate }),
      clock,
      10,
    );
    const entry = c.issuer.entryOf(next.certificate);
    expect(entry?.request.bodyType).toBe('kur');
    expect(entry?.confirmed).toBe(true);
    expect(entry?.request.template.subject).toEqual(parseName(`/O=cmpkit test/CN=kur-${mode}`));
    if (mode === 'reprotect' || mode === 'raVerified') {
      expect(entry?.request.requester.kind === 'signature' && entry.request.requester.certificate).toEqual(pki.ra.certificate);
      expect(entry?.request.oldCertID?.serialNumber).toBeDefined();
    } else {
      expect(entry?.request.oldCertificate).toEqual(first.result.certificate);
    }
  });

  it('rr by the holder revokes the certificate at the CA', async () => {
    const c = chain({ mode });
    const first = await enrollDevice(c, `rr-${mode}`);
    const holder = c.deviceAt(first.credential);
    const outcome = await settleWithClock(holder.revoke({ certificate: first.result.certificate, reason: 1 }), clock, 10);
    expect(outcome.status).toBe(0);
    expect(c.issuer.entryOf(first.result.certificate)?.revoked?.reason).toBe(1);
    const revoker = c.issuer.revocations.at(-1)?.requester;
    const expected = mode === 'reprotect' || mode === 'raVerified' ? pki.ra.certificate : first.result.certificate;
    expect(revoker?.kind === 'signature' && revoker.certificate).toEqual(expected);
  });

  it('genm caCerts is answered with the CA certificates', async () => {
    const c = chain({ mode });
    const certs = await settleWithClock(c.device.getCaCertificates(), clock, 10);
    expect(certs.length).toBeGreaterThan(0);
    expect(c.link.seen).toHaveLength(1);
  });
});

describe('batching (RFC 9483 section 5.2.2.2)', () => {
  it('three devices enrolling at once go to the CA in one nested message; each gets its own answer', async () => {
    const c = chain({ mode: 'nested', ra: { batching: { maxBatchSize: 3, maxDelayMs: 60_000 } } });
    const devices = await Promise.all(['a', 'b', 'c'].map(async (cn) => ({ cn, keyPair: await newKeyPair() })));
    // Batches fill up (three irs, then three certConfs): nothing waits for the clock.
    const results = await Promise.all(
      devices.map((d) => c.device.enroll({ keyPair: d.keyPair, subject: parseName(`/O=cmpkit test/CN=batch-${d.cn}`) })),
    );
    const nestedIrs = c.link.seen.filter(
      (s) => s.message.body.type === 'nested' && s.message.body.content.some((m) => m.body.type === 'ir'),
    );
    expect(nestedIrs).toHaveLength(1);
    const batch = nestedIrs[0]!;
    expect(batch.message.body.type === 'nested' && batch.message.body.content.map((m) => m.body.type)).toEqual(['ir', 'ir', 'ir']);
    expect(batch.response.body.type === 'nested' && batch.response.body.content.map((m) => m.body.type)).toEqual(['ip', 'ip', 'ip']);
    for (const [i, r] of results.entries()) {
      const entry = c.issuer.entryOf(r.certificate);
      expect(entry?.request.template.subject).toEqual(parseName(`/O=cmpkit test/CN=batch-${devices[i]!.cn}`));
      expect(entry?.confirmed).toBe(true);
    }
  });

  it('a lone request goes after maxDelayMs', async () => {
    const c = chain({ mode: 'nested', ra: { batching: { maxBatchSize: 10, maxDelayMs: 250 } } });
    const { result } = await enrollDevice(c);
    expect(c.issuer.entryOf(result.certificate)?.confirmed).toBe(true);
    expect(c.link.types()).toEqual(['nested>nested', 'nested>nested']);
  });
});

describe('CA-side authorisation of the RA', () => {
  it('an RA whose certificate lacks id-kp-cmcRA is refused: nested -> notAuthorized', async () => {
    const c = chain({ mode: 'nested', raHolder: pki.other });
    const error = await rejection(enrollDevice(c));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).failInfo).toContain('notAuthorized');
    expect(c.issuer.issued.size).toBe(0);
  });

  it('an RA whose certificate lacks id-kp-cmcRA gets no certificate with raVerified', async () => {
    const c = chain({ mode: 'raVerified', raHolder: pki.other });
    const error = await rejection(enrollDevice(c));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).failInfo).toEqual(expect.arrayContaining(['badPOP', 'notAuthorized']));
    expect(c.issuer.issued.size).toBe(0);
  });

  it('a configurable authorizer decides which RA is trusted', async () => {
    const issuer = createTestIssuer(pki);
    const ca = makeServer({
      pki,
      issuer,
      init: { authorizer: { authorizeRegistrationAuthority: async () => false } },
      policy: { acceptRAVerified: true },
    });
    const upstream = createClient({
      transport: { send: (r) => ca.handle(r) },
      credential: pki.ra.credential,
      trust: { signature: { anchors: [pki.root.certificate] } },
      clock: clock.date,
    });
    const probe = createClient({ transport: { send: (r) => ca.handle(r) }, credential: MAC, clock: clock.date });
    const captured: DecodedPKIMessage[] = [];
    const capture = createClient({
      transport: {
        send: async (r) => {
          captured.push(decodePKIMessage(r));
          return ca.handle(r);
        },
      },
      credential: MAC,
      clock: clock.date,
    });
    await capture.getCaCertificates();
    const error = await rejection(upstream.sendNested([captured[0]!]));
    expect((error as RemoteError).failInfo).toContain('notAuthorized');
    await expect(probe.getCaCertificates()).resolves.toBeDefined();
  });

  it('a forged raVerified from a device is refused with badPOP and notAuthorized', async () => {
    const issuer = createTestIssuer(pki);
    const ca = makeServer({ pki, issuer, policy: { acceptRAVerified: true } });
    const device = createClient({
      transport: { send: (r) => ca.handle(r) },
      credential: MAC,
      clock: clock.date,
      trustAnchors: [pki.root.certificate],
    });
    const keyPair = await newKeyPair();
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
    const { decodeSubjectPublicKeyInfo } = await import('@cmpkit/codec');
    const error = await rejection(
      device.enroll({
        certReqMsg: {
          certReq: { certReqId: 0, certTemplate: { subject: parseName('/CN=forger'), publicKey: decodeSubjectPublicKeyInfo(spki) } },
        },
        raVerified: true,
      }),
    );
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).failInfo).toEqual(expect.arrayContaining(['badPOP', 'notAuthorized']));
    expect((error as RemoteError).message).toMatch(/authorised RA/);
    expect(issuer.issued.size).toBe(0);
  });

  it('a forged raVerified forwarded unchanged by an authorised RA is still refused (the device signed it)', async () => {
    const c = chain({ mode: 'nested' });
    const keyPair = await newKeyPair();
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
    const { decodeSubjectPublicKeyInfo } = await import('@cmpkit/codec');
    const error = await rejection(
      settleWithClock(
        c.device.enroll({
          certReqMsg: {
            certReq: { certReqId: 0, certTemplate: { subject: parseName('/CN=forger'), publicKey: decodeSubjectPublicKeyInfo(spki) } },
          },
          raVerified: true,
        }),
        clock,
        10,
      ),
    );
    expect((error as RemoteError).failInfo).toEqual(expect.arrayContaining(['badPOP', 'notAuthorized']));
    expect(c.issuer.issued.size).toBe(0);
  });
});

describe('delayed delivery (RFC 9483 section 5.1.5)', () => {
  it('upstream down: the RA answers waiting, the device polls, and gets the certificate once the CA is back', async () => {
    const c = chain({ mode: 'reprotect', ra: { delayedDelivery: { waitMs: 2000, checkAfter: 5 } } });
    c.link.down = true;
    let step = await c.device.tryEnroll({ keyPair: await newKeyPair(), subject: parseName('/O=cmpkit test/CN=patient') });
    expect(step.done).toBe(false);
    if (step.done) return;
    expect(step.checkAfter).toBe(0); // ip waiting: poll at once
    step = await step.next();
    expect(step.done).toBe(false);
    if (step.done) return;
    expect(step.checkAfter).toBe(5); // pollRep: the RA still cannot reach the CA
    clock.advance(5000);
    step = await step.next();
    expect(step.done).toBe(false);
    c.link.down = false;
    for (let i = 0; i < 5 && !step.done; i++) {
      clock.advance(5000);
      step = await settleWithClock(step.next(), clock, 10);
    }
    expect(step.done).toBe(true);
    if (!step.done) return;
    const entry = c.issuer.entryOf(step.result.certificate);
    expect(entry?.request.template.subject).toEqual(parseName('/O=cmpkit test/CN=patient'));
    expect(entry?.confirmed).toBe(true);
    expect(c.link.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
  });

  it('a slow CA: after waitMs the device is told to wait, and polls until the RA has the certificate', async () => {
    const issuer = createTestIssuer(pki);
    const ca = makeServer({ pki, issuer });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const upstream = createClient({
      transport: {
        send: async (r) => {
          await gate;
          return ca.handle(r);
        },
      },
      credential: pki.ra.credential,
      trust: { signature: { anchors: [pki.root.certificate] } },
      trustAnchors: [pki.root.certificate],
      clock: clock.date,
      sleep: clock.sleep,
    });
    const ra = createRegistrationAuthority({
      name: RA_NAME,
      protection: { signer: pki.ra.credential, secrets: memorySecretStore({ [REF]: SECRET }), trustAnchors: [pki.root.certificate] },
      upstream,
      delayedDelivery: { waitMs: 3000, checkAfter: 2 },
      clock: clock.date,
      sleep: clock.sleep,
    });
    const device = createClient({
      transport: { send: (r) => ra.handle(r) },
      credential: MAC,
      clock: clock.date,
      sleep: clock.sleep,
      trustAnchors: [pki.root.certificate],
    });
    let step = await settleWithClock(
      device.tryEnroll({ keyPair: await newKeyPair(), subject: parseName('/O=cmpkit test/CN=slow') }),
      clock,
      1000,
    );
    expect(step.done).toBe(false);
    if (step.done) return;
    clock.advance(2000);
    step = await step.next();
    expect(step.done).toBe(false);
    release();
    for (let i = 0; i < 5 && !step.done; i++) {
      clock.advance(2000);
      step = await settleWithClock(step.next(), clock, 10);
    }
    expect(step.done).toBe(true);
    if (step.done) expect(issuer.entryOf(step.result.certificate)?.confirmed).toBe(true);
  });

  it('without delayed delivery an unreachable CA is systemUnavail for the device', async () => {
    const c = chain({ mode: 'forward' });
    c.link.down = true;
    const error = await rejection(enrollDevice(c));
    expect((error as RemoteError).failInfo).toContain('systemUnavail');
  });
});
