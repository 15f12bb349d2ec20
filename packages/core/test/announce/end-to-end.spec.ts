// Announcements from the server engine's announcer to cmpkit clients, in process: each client
// talks to the engine over a fake connection whose push channel feeds `client.receivePush`.
// CA rollover to two clients, renew-request answered by an automatic kur, revocation, forged
// announcements refused, an offline client catching up on reconnection, duplicates dropped.
import { createCertificateAuthority, createCrossCertificates, profiles } from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, parseName } from '@cmpkit/codec';
import {
  buildAnnouncement,
  certIdOf,
  createAnnouncer,
  createClient,
  recipientKeyOf,
  type AnnouncementEvent,
  type Announcer,
  type ClientInit,
  type CmpClient,
  type CmpServer,
  type PushChannel,
} from '@cmpkit/core';
import { ProtectionError, verifyCertificatePath } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, newKeyPair, type TestPki } from '../server/support/pki.js';
import { createTestIssuer, type TestIssuer } from '../server/support/test-issuer.js';
import { MAC, makeServer } from '../server/support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

interface Setup {
  server: CmpServer;
  issuer: TestIssuer;
  announcer: Announcer;
}

function setup(): Setup {
  const announcer = createAnnouncer({ name: pki.serverName, credential: pki.server.credential, clock: clock.date });
  const issuer = createTestIssuer(pki);
  const server = makeServer({ pki, issuer, init: { onAuthenticated: announcer.onAuthenticated } });
  return { server, issuer, announcer };
}

let connectionCount = 0;

/** A client on a fresh "connection" to the engine: its requests carry a push channel that feeds the client. */
function connect(s: Setup, init: Partial<ClientInit> = {}) {
  let closeConnection = (): void => {};
  let open = true;
  const closed = new Promise<void>((resolve) => (closeConnection = resolve));
  const events: AnnouncementEvent[] = [];
  const refused: unknown[] = [];
  const push: PushChannel = {
    id: `conn-${++connectionCount}`,
    closed,
    async send(message) {
      if (!open) throw new Error('closed');
      client.receivePush(message);
    },
  };
  const client: CmpClient = createClient({
    transport: { send: (der) => s.server.handle(der, { push }) },
    credential: MAC,
    clock: clock.date,
    sleep: clock.sleep,
    trustAnchors: [pki.root.certificate],
    ...init,
  });
  client.onAnnouncement(
    (event) => {
      events.push(event);
      wake();
    },
    (error) => {
      refused.push(error);
      wake();
    },
  );
  return {
    client,
    events,
    refused,
    close() {
      open = false;
      closeConnection();
    },
  };
}

/** Resolves once `until()` holds; re-checked whenever a client hears of an announcement. */
const waiters = new Set<() => void>();
function settle(until: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!until()) return;
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
}
const wake = (): void => {
  for (const check of [...waiters]) check();
};

const subjectA = parseName('/O=cmpkit test/CN=device-a');
const subjectB = parseName('/O=cmpkit test/CN=device-b');

/** Enrolls `subject` with the shared secret over `c`, which makes it reachable there. */
async function enrollOn(c: ReturnType<typeof connect>, subject = subjectA) {
  const keyPair = await newKeyPair();
  const { certificate } = await c.client.enroll({ keyPair, subject });
  return { keyPair, certificate };
}

async function certificateUnderNewRoot(subject: string): Promise<Uint8Array> {
  const ca = createCertificateAuthority({ ...pki.newRoot, clock: clock.date });
  const key = await newKeyPair();
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', key.publicKey)));
  return (await ca.issue({ template: { subject: parseName(subject), publicKey }, profile: profiles.device })).certificate;
}

describe('announcements from the engine to connected clients', () => {
  it('a CA rollover (ckuann) reaches two clients, which then trust certificates under the new root', async () => {
    const s = setup();
    const a = connect(s);
    const b = connect(s);
    await enrollOn(a, subjectA);
    await enrollOn(b, subjectB);
    const fromNewRoot = await certificateUnderNewRoot('/O=cmpkit test/CN=device-a');
    // Before: a certificate under the new root is refused.
    await expect(verifyCertificatePath(fromNewRoot, { anchors: a.client.trustAnchors(), at: clock.date() })).rejects.toThrow(
      ProtectionError,
    );

    const cross = await createCrossCertificates(pki.root, pki.newRoot);
    const result = await s.announcer.broadcast({ type: 'ckuann', ...cross });
    expect(result).toMatchObject({ recipients: 2, pushed: 2, posted: 0 });
    await settle(() => a.events.length === 1 && b.events.length === 1);

    for (const c of [a, b]) {
      const event = c.events[0]!;
      expect(event.type).toBe('ckuann');
      expect(event.type === 'ckuann' && event.update.newWithNew).toEqual(pki.newRoot.certificate);
      expect(c.client.trustAnchors()).toEqual([pki.root.certificate, pki.newRoot.certificate]);
      await verifyCertificatePath(fromNewRoot, { anchors: c.client.trustAnchors(), at: clock.date() });
    }
    // The client's own check of certificates now accepts the new root: a cann under it is believed.
    await s.announcer.announce(recipientKeyOf(subjectA), { type: 'cann', certificate: fromNewRoot });
    await settle(() => a.events.length === 2);
    expect(a.events[1]!.type === 'cann' && a.events[1]!.certificate).toEqual(fromNewRoot);
    expect(a.refused).toEqual([]);
  });

  it('a ckuann whose newWithOld is not signed by a trusted root is refused and changes nothing', async () => {
    const s = setup();
    const a = connect(s);
    await enrollOn(a);
    // "newWithOld" self-signed by the new key: signed by the server, but not linked to the old root.
    const forged = await buildAnnouncement(
      { type: 'ckuann', newWithNew: pki.newRoot.certificate, newWithOld: pki.newRoot.certificate },
      { name: pki.serverName, credential: pki.server.credential, clock: clock.date },
    );
    await expect(a.client.receiveAnnouncement(forged)).rejects.toMatchObject({ failInfo: ['signerNotTrusted'] });
    expect(a.client.trustAnchors()).toEqual([pki.root.certificate]);
    expect(a.events).toEqual([]);
  });

  it('accepts the older CAKeyUpdAnnContent form (v2) and refuses a stale announcement (badTime)', async () => {
    const s = setup();
    const a = connect(s);
    await enrollOn(a);
    const sender = { name: pki.serverName, credential: pki.server.credential };
    const cross = await createCrossCertificates(pki.root, pki.newRoot);
    const stale = await buildAnnouncement(
      { type: 'cann', certificate: pki.other.certificate },
      { ...sender, clock: () => new Date(clock.now() - 3_600_000) },
    );
    await expect(a.client.receiveAnnouncement(stale)).rejects.toMatchObject({ failInfo: ['badTime'] });
    const event = await a.client.receiveAnnouncement(
      await buildAnnouncement({ type: 'ckuann', ...cross, form: 'v2' }, { ...sender, clock: clock.date }),
    );
    expect(event.type === 'ckuann' && event.message.header.pvno).toBe(2);
    expect(a.client.trustAnchors()).toEqual([pki.root.certificate, pki.newRoot.certificate]);
  });

  it('a revocationWarning (renew-request) makes a client with autoRenew run kur before willBeRevokedAt', async () => {
    const s = setup();
    const first = connect(s);
    const enrolled = await enrollOn(first);
    const c = connect(s, {
      credential: { privateKey: enrolled.keyPair.privateKey, certificate: enrolled.certificate, chain: [pki.ca.certificate] },
      trust: { signature: { anchors: [pki.root.certificate] } },
      autoRenew: { newKeyPair: () => newKeyPair() },
    });
    await c.client.getCaCertificates(); // a signed request: now reachable on this connection
    const deadline = new Date(clock.now() + 7 * 86_400_000);
    const delivery = await s.announcer.announce(recipientKeyOf(subjectA), {
      type: 'rann',
      status: 'revocationWarning',
      certId: certIdOf(enrolled.certificate),
      willBeRevokedAt: deadline,
      badSinceDate: clock.date(),
    });
    expect(delivery.route).toBe('pushed');
    await settle(() => c.events.length === 1);
    const event = c.events[0]!;
    if (event.type !== 'rann') throw new Error(`expected rann, got ${event.type}`);
    expect([event.statusName, event.ownCertificate]).toEqual(['revocationWarning', true]);
    const renewed = await event.renewal!;
    expect(clock.now()).toBeLessThan(deadline.getTime());
    expect(s.issuer.requests.at(-1)?.bodyType).toBe('kur');
    expect(renewed.certificate).not.toEqual(enrolled.certificate);
    expect(c.client.currentCertificate()).toEqual(renewed.certificate);
    // Requests are now signed with the new certificate.
    await c.client.getCaCertificates();
  });

  it('a revocation announcement (rann accepted) is reported without renewal', async () => {
    const s = setup();
    const first = connect(s);
    const enrolled = await enrollOn(first);
    const c = connect(s, {
      credential: { privateKey: enrolled.keyPair.privateKey, certificate: enrolled.certificate, chain: [pki.ca.certificate] },
      trust: { signature: { anchors: [pki.root.certificate] } },
      autoRenew: { newKeyPair: () => newKeyPair() },
    });
    await c.client.getCaCertificates();
    await s.announcer.announce(recipientKeyOf(subjectA), {
      type: 'rann',
      status: 'accepted',
      certId: certIdOf(enrolled.certificate),
      willBeRevokedAt: clock.date(),
      badSinceDate: clock.date(),
    });
    await settle(() => c.events.length === 1);
    const event = c.events[0]!;
    expect(event.type === 'rann' && [event.statusName, event.ownCertificate, event.renewal]).toEqual(['accepted', true, undefined]);
  });

  it('refuses a forged announcement (a signer without a path to its anchors) and tells no listener', async () => {
    const s = setup();
    const a = connect(s);
    await enrollOn(a);
    const forged = await buildAnnouncement(
      { type: 'cann', certificate: pki.other.certificate },
      { name: pki.serverName, credential: pki.idevid.credential, clock: clock.date },
    );
    a.client.receivePush(forged);
    await settle(() => a.refused.length === 1);
    expect(a.refused[0]).toBeInstanceOf(ProtectionError);
    expect((a.refused[0] as ProtectionError).failInfo).toEqual(['signerNotTrusted']);
    // Tampered with after signing: the signature no longer verifies.
    const genuine = await buildAnnouncement(
      { type: 'cann', certificate: pki.other.certificate },
      { name: pki.serverName, credential: pki.server.credential, clock: clock.date },
    );
    const tampered = genuine.slice();
    const at = tampered.indexOf(0x30, 40);
    tampered[at + 10] = (tampered[at + 10] ?? 0) ^ 1;
    await expect(a.client.receiveAnnouncement(tampered)).rejects.toThrow();
    expect(a.events).toEqual([]);
    // Not an announcement at all.
    await expect(a.client.receiveAnnouncement(await pushedResponse(s))).rejects.toMatchObject({ failInfo: ['badRequest'] });
  });

  it('an offline client receives what it missed when it connects again; duplicates are dropped', async () => {
    const s = setup();
    const a = connect(s);
    await enrollOn(a);
    a.close();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const crl = await pki.ca.createCrl({ entries: [], nextUpdate: new Date(clock.now() + 86_400_000), crlNumber: 7n });
    expect(await s.announcer.broadcast({ type: 'crlann', crls: [crl] })).toMatchObject({ recipients: 1, pushed: 0, posted: 0 });
    expect((await s.announcer.announce(recipientKeyOf(subjectA), { type: 'cann', certificate: pki.other.certificate })).route).toBe(
      'stored',
    );
    expect(a.events).toEqual([]);
    expect(s.announcer.connected()).toEqual([]);

    const again = connect(s);
    await again.client.getCaCertificates(); // MAC-protected, sender = the NULL-DN: not reachable by name
    expect(s.announcer.connected()).toEqual([]);
    const named = connect(s, { sender: subjectA });
    await named.client.getCaCertificates();
    await settle(() => named.events.length === 2);
    expect(named.events.map((e) => e.type)).toEqual(['crlann', 'cann']);
    expect(named.events[0]!.type === 'crlann' && named.events[0]!.crls).toEqual([crl]);

    await expect(named.client.receiveAnnouncement(named.events[1]!.message.raw.message)).rejects.toMatchObject({
      failInfo: ['badSenderNonce'],
    });
  });
});

/** A genp from the engine: protected by the server, but a response, not an announcement. */
async function pushedResponse(s: Setup): Promise<Uint8Array> {
  let captured: Uint8Array | undefined;
  const client = createClient({
    transport: {
      send: async (der) => {
        captured = await s.server.handle(der);
        return captured;
      },
    },
    credential: MAC,
    clock: clock.date,
  });
  await client.getCaCertificates();
  return captured!;
}
