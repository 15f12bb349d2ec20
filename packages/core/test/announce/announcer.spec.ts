// The announcer on its own: recipient keys, protected announcements, storing for offline end
// entities and delivering on connect, in order and once, and the createServer hook that makes
// an end entity reachable on the connection its verified request came on.
import { decodePKIMessage, parseName, type DecodedPKIMessage } from '@cmpkit/codec';
import {
  buildAnnouncement,
  certIdOf,
  createAnnouncer,
  createClient,
  loopbackTransport,
  memoryAnnouncementStore,
  memoryPushUrlStore,
  recipientKeyOf,
  recipientKeyOfCertificate,
  recipientNameOf,
  type AnnouncementStore,
  type AnnouncementWakeups,
  type PushChannel,
} from '@cmpkit/core';
import { verifyProtection } from '@cmpkit/protection';
import { deferred, fakeClock, waitUntil } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, newKeyPair, type TestPki } from '../server/support/pki.js';
import { createTestIssuer } from '../server/support/test-issuer.js';
import { MAC, makeServer } from '../server/support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

/** A push channel that records what it was sent, and can be closed or made to fail. */
function fakeChannel(id: string) {
  const sent: DecodedPKIMessage[] = [];
  let close = (): void => {};
  const closed = new Promise<void>((resolve) => (close = resolve));
  const channel: PushChannel & { sent: DecodedPKIMessage[]; close(): void; failing: boolean } = {
    id,
    sent,
    failing: false,
    closed,
    close,
    async send(message) {
      if (channel.failing) throw new Error('connection reset');
      sent.push(decodePKIMessage(message));
    },
  };
  return channel;
}

const sender = () => ({ name: pki.serverName, credential: pki.server.credential, clock: clock.date });

describe('recipientKeyOf', () => {
  it('is the same for names RFC 5280 calls equal, and decodes back to the name', () => {
    const a = recipientKeyOf(parseName('/O=cmpkit test/CN=Device  0001'));
    const b = recipientKeyOf(parseName('/O=CMPKIT TEST/CN=device 0001'));
    expect(a).toBe(b);
    expect(recipientKeyOf(parseName('/CN=device 0002'))).not.toBe(a);
    expect(recipientKeyOf(recipientNameOf(a))).toBe(a);
    expect(() => recipientNameOf('xyz')).toThrow(TypeError);
    expect(recipientKeyOfCertificate(pki.other.certificate)).toBe(recipientKeyOf(parseName('/O=cmpkit test/CN=someone else')));
  });
});

describe('buildAnnouncement', () => {
  it('protects each announcement with the CA credential, fresh transactionID and nonce', async () => {
    const holder = pki.other.certificate;
    const bodies = [
      await buildAnnouncement({ type: 'cann', certificate: holder }, sender()),
      await buildAnnouncement(
        {
          type: 'rann',
          status: 'revocationWarning',
          certId: certIdOf(holder),
          willBeRevokedAt: new Date(clock.now() + 86_400_000),
          badSinceDate: clock.date(),
        },
        sender(),
        parseName('/O=cmpkit test/CN=someone else'),
      ),
      await buildAnnouncement(
        { type: 'crlann', crls: [await pki.ca.createCrl({ entries: [], nextUpdate: new Date(clock.now() + 86_400_000), crlNumber: 1n })] },
        sender(),
      ),
      await buildAnnouncement({ type: 'ckuann', newWithNew: pki.newRoot.certificate, newWithOld: pki.root.certificate }, sender()),
    ].map((der) => decodePKIMessage(der));
    expect(bodies.map((m) => m.body.type)).toEqual(['cann', 'rann', 'crlann', 'ckuann']);
    expect(bodies.map((m) => m.header.pvno)).toEqual([2, 2, 2, 3]);
    for (const m of bodies) {
      await verifyProtection(m, { signature: { anchors: [pki.root.certificate] } }, { at: clock.date() });
    }
    const rann = bodies[1]!;
    expect(rann.body.type === 'rann' && rann.body.content.status).toBe(4);
    expect(rann.header.recipient).toEqual({ type: 'directoryName', value: parseName('/O=cmpkit test/CN=someone else') });
    expect(new Set(bodies.map((m) => Buffer.from(m.header.transactionID!).toString('hex'))).size).toBe(4);
    await expect(
      buildAnnouncement({ type: 'ckuann', newWithNew: pki.newRoot.certificate, newWithOld: pki.root.certificate, form: 'v2' }, sender()),
    ).rejects.toThrow(TypeError);
  });
});

describe('createAnnouncer', () => {
  const alice = () => recipientKeyOf(parseName('/CN=alice'));
  const bob = () => recipientKeyOf(parseName('/CN=bob'));
  const backlogIds = async (store: AnnouncementStore, recipient: string) =>
    (await store.backlog([recipient])).get(recipient)?.entries.map((e) => e.id) ?? [];
  /** Wake-ups a test fires by hand, standing for another process's signal. */
  const manualWakeups = () => {
    let wake = (): void => {};
    const wakeups: AnnouncementWakeups = {
      subscribe(listener) {
        wake = listener;
        return () => {
          wake = () => {};
        };
      },
    };
    return { wakeups, fire: () => wake() };
  };
  const cann = (certificate: Uint8Array) => buildAnnouncement({ type: 'cann', certificate }, sender());

  it('stores for an offline recipient and delivers in order once it connects', async () => {
    const store = memoryAnnouncementStore();
    const announcer = createAnnouncer({ ...sender(), store });
    const first = await announcer.announce(alice(), { type: 'cann', certificate: pki.other.certificate });
    const second = await announcer.announce(alice(), { type: 'cann', certificate: pki.ra.certificate });
    expect([first.route, second.route]).toEqual(['stored', 'stored']);
    expect(await backlogIds(store, alice())).toEqual([first.id, second.id]);

    const channel = fakeChannel('c1');
    await announcer.connect(alice(), channel);
    await announcer.idle();
    expect(channel.sent.map((m) => m.body.type === 'cann' && m.body.content.der.length)).toEqual([
      pki.other.certificate.length,
      pki.ra.certificate.length,
    ]);
    expect(await backlogIds(store, alice())).toEqual([]);

    const third = await announcer.announce(alice(), { type: 'cann', certificate: pki.other.certificate });
    expect(third.route).toBe('pushed');
    expect(channel.sent).toHaveLength(3);
  });

  it('keeps what a broken connection could not take, and forgets closed connections', async () => {
    const store = memoryAnnouncementStore();
    const announcer = createAnnouncer({ ...sender(), store });
    const channel = fakeChannel('c1');
    await announcer.connect(alice(), channel);
    channel.failing = true;
    expect((await announcer.announce(alice(), { type: 'cann', certificate: pki.other.certificate })).route).toBe('stored');
    expect(announcer.connected()).toEqual([]);

    const again = fakeChannel('c2');
    await announcer.connect(alice(), again);
    await announcer.idle();
    expect(again.sent).toHaveLength(1);
    expect(announcer.connected()).toEqual([alice()]);
    again.close();
    await again.closed;
    expect(announcer.connected()).toEqual([]);
  });

  it('stores a broadcast once: connected recipients get it at once, known offline ones when they connect, later ones not', async () => {
    const store = memoryAnnouncementStore();
    const announcer = createAnnouncer({ ...sender(), store });
    await store.addRecipient(bob());
    const channel = fakeChannel('c1');
    await announcer.connect(alice(), channel);
    await announcer.idle();

    const result = await announcer.broadcast({ type: 'ckuann', newWithNew: pki.newRoot.certificate, newWithOld: pki.root.certificate });
    expect(result).toEqual({ id: result.id, recipients: 2, pushed: 1, posted: 0 });
    expect(channel.sent.map((m) => m.body.type)).toEqual(['ckuann']);
    expect(await store.changes(undefined, 10)).toEqual([{ id: result.id }]);
    expect(await backlogIds(store, bob())).toEqual([result.id]);

    const carol = recipientKeyOf(parseName('/CN=carol'));
    const late = fakeChannel('c3');
    await announcer.connect(carol, late);
    const bobs = fakeChannel('c2');
    await announcer.connect(bob(), bobs);
    await announcer.idle();
    expect(bobs.sent.map((m) => m.body.type)).toEqual(['ckuann']);
    expect(late.sent).toEqual([]);
  });

  it('delivers what another process stored as soon as a wake-up says so, on connections only, and flush catches up without one', async () => {
    const store = memoryAnnouncementStore();
    const { wakeups, fire } = manualWakeups();
    const posted: string[] = [];
    const announcer = createAnnouncer({
      ...sender(),
      store,
      wakeups,
      httpPush: { store: memoryPushUrlStore({ [bob()]: ['http://127.0.0.1:1/bob'] }), post: async (url) => void posted.push(url) },
    });
    const channel = fakeChannel('c1');
    await announcer.connect(alice(), channel);
    await announcer.idle();

    // Another process: it stores, then signals; the storing process POSTs to push URLs itself.
    await store.enqueue(alice(), await cann(pki.other.certificate), clock.now());
    await store.enqueue(bob(), await cann(pki.ra.certificate), clock.now());
    fire();
    await announcer.idle();
    expect(channel.sent.map((m) => m.body.type)).toEqual(['cann']);
    expect(posted).toEqual([]);

    // A lost wake-up: flush is the safety net.
    await store.enqueueBroadcast(
      await buildAnnouncement({ type: 'ckuann', newWithNew: pki.newRoot.certificate, newWithOld: pki.root.certificate }, sender()),
      clock.now(),
    );
    expect(await announcer.flush()).toBe(1);
    expect(channel.sent.map((m) => m.body.type)).toEqual(['cann', 'ckuann']);
    // What the other process left for bob's push URL goes out once the grace period is over.
    expect(posted).toEqual([]);
    clock.advance(60_000);
    expect(await announcer.flush()).toBe(2);
    expect(posted).toEqual(['http://127.0.0.1:1/bob', 'http://127.0.0.1:1/bob']);
    announcer.close();
  });

  it('loads what a newer entry depends on (beforeDelivery) before it reaches anyone, once for the entries seen together', async () => {
    const store = memoryAnnouncementStore();
    const { wakeups, fire } = manualWakeups();
    let loads = 0;
    let gate = deferred<void>();
    const announcer = createAnnouncer({
      ...sender(),
      store,
      wakeups,
      beforeDelivery: async () => {
        loads++;
        await gate.promise;
      },
    });
    const channel = fakeChannel('c1');
    await announcer.connect(alice(), channel);
    gate.resolve();
    await announcer.idle();
    const loadsAtStart = loads;

    gate = deferred<void>();
    await store.enqueueBroadcast(
      await buildAnnouncement({ type: 'ckuann', newWithNew: pki.newRoot.certificate, newWithOld: pki.root.certificate }, sender()),
      clock.now(),
    );
    await store.enqueue(alice(), await cann(pki.other.certificate), clock.now());
    fire();
    await waitUntil(() => loads === loadsAtStart + 1, { what: 'the load before delivery' });
    expect(channel.sent).toEqual([]);
    gate.resolve();
    await announcer.idle();
    expect(channel.sent.map((m) => m.body.type)).toEqual(['ckuann', 'cann']);
    expect(loads).toBe(loadsAtStart + 1);
    announcer.close();
  });

  it('does not read the backlog of a recipient nothing can reach (a broadcast to many offline ones stays cheap)', async () => {
    const store = memoryAnnouncementStore();
    const reads: string[] = [];
    const counting = {
      ...store,
      backlog: (recipients: readonly string[]) => (reads.push(...recipients), store.backlog(recipients)),
    };
    const announcer = createAnnouncer({ ...sender(), store: counting, httpPush: { store: memoryPushUrlStore(), post: async () => {} } });
    const offline = Array.from({ length: 5 }, (_, i) => recipientKeyOf(parseName(`/CN=offline-${i}`)));
    for (const recipient of offline) await store.addRecipient(recipient);
    for (let i = 0; i < 3; i++) await announcer.broadcast({ type: 'crlann', crls: [pki.root.certificate] });
    expect(reads).toEqual([]);
    for (const recipient of offline) expect((await store.backlog([recipient])).get(recipient)?.entries).toHaveLength(3);

    const channel = fakeChannel('c1');
    await announcer.connect(offline[0]!, channel); // reachable again: its backlog goes out, in order
    await announcer.idle();
    expect(reads).toEqual([offline[0]]);
    expect(channel.sent.map((m) => m.body.type)).toEqual(['crlann', 'crlann', 'crlann']);
  });

  it('posts to a push URL when the recipient is not connected', async () => {
    const posted: string[] = [];
    const urls = memoryPushUrlStore({ [alice()]: ['http://127.0.0.1:1/down', 'http://127.0.0.1:2/up'] });
    const announcer = createAnnouncer({
      ...sender(),
      httpPush: {
        store: urls,
        post: async (url) => {
          if (url.endsWith('/down')) throw new Error('refused');
          posted.push(url);
        },
      },
    });
    expect((await announcer.announce(alice(), { type: 'cann', certificate: pki.other.certificate })).route).toBe('posted');
    expect(posted).toEqual(['http://127.0.0.1:2/up']);
  });

  it('retries a failed delivery after its delay, moves it aside after maxAttempts, and lets the later ones go out', async () => {
    const store = memoryAnnouncementStore();
    const refused = await cann(pki.other.certificate); // the receiver answers this one 400 forever
    const tries: string[] = [];
    const announcer = createAnnouncer({
      ...sender(),
      store,
      retry: { maxAttempts: 3, initialDelayMs: 10_000, maxDelayMs: 15_000 },
      httpPush: {
        store: memoryPushUrlStore({ [alice()]: ['http://127.0.0.1:1/ee'] }),
        post: async (_url, message) => {
          const which = Buffer.from(message).equals(Buffer.from(refused)) ? 'refused' : 'other';
          tries.push(which);
          if (which === 'refused') throw new Error('HTTP 400');
        },
      },
    });
    const stuck = await announcer.enqueue(alice(), refused);
    const next = await announcer.announce(alice(), { type: 'cann', certificate: pki.ra.certificate });
    expect([stuck.route, next.route]).toEqual(['stored', 'stored']);
    expect(tries).toEqual(['refused']); // the next one waits behind it, and the retry waits for its time

    expect(await announcer.flush()).toBe(0);
    expect(tries).toHaveLength(1);
    clock.advance(10_000);
    expect(await announcer.flush()).toBe(0);
    expect(tries).toEqual(['refused', 'refused']);
    clock.advance(14_999); // the second delay is 15 s (capped)
    expect(await announcer.flush()).toBe(0);
    clock.advance(1);
    expect(await announcer.flush()).toBe(1);
    expect(tries).toEqual(['refused', 'refused', 'refused', 'other']);
    expect(await backlogIds(store, alice())).toEqual([]);
    const [letter] = await store.deadLetters();
    expect(letter).toMatchObject({ recipient: alice(), id: stuck.id, attempts: 3, error: 'http://127.0.0.1:1/ee: Error: HTTP 400' });

    // Put back by the operator, it is tried at once (and counted again while still refused).
    const requeued = await announcer.requeue(alice(), stuck.id);
    expect(requeued).toEqual({ recipient: alice(), id: requeued!.id, route: 'stored' });
    expect(tries.at(-1)).toBe('refused');
    expect(await store.deadLetters()).toEqual([]);
    expect(await announcer.requeue(alice(), stuck.id)).toBeUndefined();
  });

  it('tries a failing entry again at once on a new connection, before its retry time', async () => {
    const store = memoryAnnouncementStore();
    const announcer = createAnnouncer({
      ...sender(),
      store,
      httpPush: {
        store: memoryPushUrlStore({ [alice()]: ['http://127.0.0.1:1/ee'] }),
        post: async () => {
          throw new Error('timeout');
        },
      },
    });
    expect((await announcer.announce(alice(), { type: 'cann', certificate: pki.other.certificate })).route).toBe('stored');
    const channel = fakeChannel('c1');
    await announcer.connect(alice(), channel);
    await announcer.idle();
    expect(channel.sent).toHaveLength(1);
    expect(await backlogIds(store, alice())).toEqual([]);
  });

  /** A MAC client whose requests reach `server` on a connection that can push (`channel`). */
  const clientOnChannel = (server: ReturnType<typeof makeServer>, channel: PushChannel) =>
    createClient({
      transport: { send: (der) => server.handle(der, { push: channel }) },
      credential: MAC,
      clock: clock.date,
      sleep: clock.sleep,
      trustAnchors: [pki.root.certificate],
    });

  /** A memory store whose named methods throw on their next call(s), as a store that is busy or down. */
  const flakyStore = () => {
    const store = memoryAnnouncementStore();
    const failing = new Map<keyof AnnouncementStore, number>();
    const wrapped = new Proxy(store, {
      get(target, key: keyof AnnouncementStore) {
        const method = target[key] as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          const left = failing.get(key) ?? 0;
          if (left > 0) {
            failing.set(key, left - 1);
            throw new Error(`SQLITE_BUSY: database is locked (${String(key)})`);
          }
          return method.apply(target, args);
        };
      },
    });
    return { store: wrapped, failNext: (method: keyof AnnouncementStore, times = 1) => void failing.set(method, times) };
  };

  it('does not keep a connection whose recipient the store could not record, and records it on the next request', async () => {
    const { store, failNext } = flakyStore();
    const announcer = createAnnouncer({ ...sender(), store });
    const channel = fakeChannel('c1');
    failNext('addRecipient');
    await expect(announcer.connect(alice(), channel)).rejects.toThrow(/SQLITE_BUSY/);
    // Unrecorded, a broadcast would skip it while it seemed connected: it is not kept.
    expect(announcer.connected()).toEqual([]);
    expect(await store.recipients()).toEqual([]);

    await announcer.connect(alice(), channel);
    expect(await store.recipients()).toEqual([alice()]);
    // A second request on a connection whose record is under way waits for it, and fails with it.
    const other = fakeChannel('c2');
    failNext('addRecipient');
    const first = announcer.connect(bob(), other);
    const second = announcer.connect(bob(), other);
    await expect(first).rejects.toThrow(/SQLITE_BUSY/);
    await expect(second).rejects.toThrow(/SQLITE_BUSY/);
    expect(announcer.connected()).toEqual([alice()]);
    const result = await announcer.broadcast({ type: 'ckuann', newWithNew: pki.newRoot.certificate, newWithOld: pki.root.certificate });
    expect(result).toMatchObject({ recipients: 1, pushed: 1 });
    expect(channel.sent.map((m) => m.body.type)).toEqual(['ckuann']);
  });

  it('refuses the request whose connection could not be recorded (systemFailure), so that the end entity tries again', async () => {
    const { store, failNext } = flakyStore();
    const announcer = createAnnouncer({ ...sender(), store });
    const server = makeServer({ pki, issuer: createTestIssuer(pki), init: { onAuthenticated: announcer.onAuthenticated } });
    const channel = fakeChannel('conn-1');
    const client = clientOnChannel(server, channel);
    const subject = parseName('/O=cmpkit test/CN=device-0002');
    failNext('addRecipient');
    const refused = await client.enroll({ keyPair: await newKeyPair(), subject }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ failInfo: ['systemFailure'] });
    expect(announcer.connected()).toEqual([]);

    await client.enroll({ keyPair: await newKeyPair(), subject });
    expect(announcer.connected()).toEqual([recipientKeyOf(subject)]);
    expect(await store.recipients()).toEqual([recipientKeyOf(subject)]);
  });

  it('tries again at flush a live recipient whose delivery ended in a store error (nothing records that it waits)', async () => {
    const { store, failNext } = flakyStore();
    const { wakeups, fire } = manualWakeups();
    const announcer = createAnnouncer({ ...sender(), store, wakeups });
    const channel = fakeChannel('c1');
    await announcer.connect(alice(), channel);
    await announcer.idle();
    // Another process stores a broadcast; reading the backlogs for the catch-up fails once.
    await store.enqueueBroadcast(await cann(pki.other.certificate), clock.now());
    failNext('backlog');
    fire();
    await announcer.idle();
    expect(channel.sent).toEqual([]);

    expect(await announcer.flush()).toBe(1);
    expect(channel.sent).toHaveLength(1);
    expect(await backlogIds(store, alice())).toEqual([]);
    expect(await announcer.flush()).toBe(0);
  });

  it('learns recipients from requests verified on push-capable connections (createServer onAuthenticated)', async () => {
    const announcer = createAnnouncer(sender());
    const server = makeServer({ pki, issuer: createTestIssuer(pki), init: { onAuthenticated: announcer.onAuthenticated } });
    const channel = fakeChannel('conn-1');
    const subject = parseName('/O=cmpkit test/CN=device-0001');
    await announcer.announce(recipientKeyOf(subject), { type: 'cann', certificate: pki.other.certificate });
    const client = clientOnChannel(server, channel);
    await client.enroll({ keyPair: await newKeyPair(), subject });
    await announcer.idle();
    expect(channel.sent.map((m) => m.body.type)).toEqual(['cann']);
    expect(announcer.connected()).toEqual([recipientKeyOf(subject)]);
    // Without a push channel (HTTP), nobody becomes reachable.
    const other = createAnnouncer(sender());
    const plain = makeServer({ pki, issuer: createTestIssuer(pki), init: { onAuthenticated: other.onAuthenticated } });
    await createClient({
      transport: loopbackTransport(plain.handle),
      credential: MAC,
      clock: clock.date,
      sleep: clock.sleep,
    }).getCaCertificates();
    expect(other.connected()).toEqual([]);
  });
});
