import { parseName } from '@cmpkit/codec';
import {
  buildAnnouncement,
  certIdOf,
  createClient,
  recipientKeyOf,
  type AnnouncementEvent,
  type ClientInit,
  type CmpClient,
  type CmpHandler,
  type Transport,
} from '@cmpkit/core';
import { verifyCertificatePath } from '@cmpkit/protection';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnnouncementScenario, type AnnouncementScenario } from './announcement-scenario.js';

/** A client transport that hands what the server pushes to `onPush`, and can be closed. */
export type PushTransport = Transport & { close(): Promise<void> };

/** A running server of the transport under test, serving the scenario's engine. */
export interface PushServerUnderTest {
  /** A new client transport (its own connection) to the server; pushes go to `onPush`. */
  connect(onPush: (message: Uint8Array) => void): PushTransport;
  /** Stops the server and frees everything; called after each test. */
  close(): Promise<void>;
}

/** Starts a server of the transport on `127.0.0.1:0` serving `handler`. */
export type PushServerSetup = (handler: CmpHandler) => Promise<PushServerUnderTest>;

/** Waits (polling every 5 ms, at most 10 s) until `condition` holds: for what the server notices on its own. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 10_000) throw new Error('announcementDelivery: the condition did not come true within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Listener {
  client: CmpClient;
  transport: PushTransport;
  events: AnnouncementEvent[];
  refused: unknown[];
  /** Resolves once `until()` holds, re-checked whenever this client hears of an announcement. */
  when(until: () => boolean): Promise<void>;
}

/**
 * Announcements end to end over a transport that can push (TCP, WebSocket): the engine of
 * {@link createAnnouncementScenario} behind the transport's server, cmpkit clients on real
 * connections receiving pushes: a CA rollover reaching two clients which then trust certificates
 * under the new root, a renew-request (revocationWarning) answered by an automatic kur before
 * the deadline, a revocation announcement, a forged announcement refused, and a client that was
 * offline getting what it missed when it connects again.
 */
export function announcementDelivery(name: string, setup: PushServerSetup): void {
  describe(`${name}: announcements`, () => {
    let running: PushServerUnderTest | undefined;
    const transports: PushTransport[] = [];
    afterEach(async () => {
      for (const t of transports.splice(0)) await t.close();
      await running?.close();
      running = undefined;
    });

    async function start(): Promise<AnnouncementScenario> {
      const scenario = await createAnnouncementScenario();
      running = await setup(scenario.server.handle);
      return scenario;
    }

    function listen(scenario: AnnouncementScenario, init: Partial<ClientInit> = {}): Listener {
      const waiters = new Set<() => void>();
      const wake = (): void => {
        for (const check of [...waiters]) check();
      };
      const transport = running!.connect((message) => client.receivePush(message));
      transports.push(transport);
      const client = createClient({ transport, ...scenario.clientInit(), ...init });
      const events: AnnouncementEvent[] = [];
      const refused: unknown[] = [];
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
        transport,
        events,
        refused,
        when: (until) =>
          new Promise((resolve) => {
            const check = (): void => {
              if (!until()) return;
              waiters.delete(check);
              resolve();
            };
            waiters.add(check);
            check();
          }),
      };
    }

    const subject = (cn: string) => parseName(`/O=cmpkit test/CN=${cn}`);

    async function enrolled(scenario: AnnouncementScenario, listener: Listener, cn: string) {
      const keyPair = await scenario.newKeyPair();
      const { certificate } = await listener.client.enroll({ keyPair, subject: subject(cn) });
      return { keyPair, certificate };
    }

    it('pushes a CA rollover (ckuann) to two connected clients, which then trust certificates under the new root', async () => {
      const scenario = await start();
      const a = listen(scenario);
      const b = listen(scenario);
      await enrolled(scenario, a, 'device-a');
      await enrolled(scenario, b, 'device-b');
      const underNewRoot = await scenario.issueUnderNewRoot('/O=cmpkit test/CN=device-a');
      await expect(verifyCertificatePath(underNewRoot, { anchors: a.client.trustAnchors() })).rejects.toThrow();

      const result = await scenario.announcer.broadcast({ type: 'ckuann', ...(await scenario.crossCertificates()) });
      expect(result).toMatchObject({ recipients: 2, pushed: 2, posted: 0 });
      await a.when(() => a.events.length === 1);
      await b.when(() => b.events.length === 1);
      for (const c of [a, b]) {
        expect(c.events[0]!.type).toBe('ckuann');
        expect(c.client.trustAnchors()).toEqual([scenario.root.certificate, scenario.newRoot.certificate]);
        await verifyCertificatePath(underNewRoot, { anchors: c.client.trustAnchors() });
      }
      // cann under the new root: the client's own path check accepts it now.
      await scenario.announcer.announce(recipientKeyOf(subject('device-a')), { type: 'cann', certificate: underNewRoot });
      await a.when(() => a.events.length === 2);
      expect(a.events[1]!.type === 'cann' && a.events[1]!.certificate).toEqual(underNewRoot);
      expect([...a.refused, ...b.refused]).toEqual([]);
    });

    it('a renew-request (rann revocationWarning) makes a listening client run kur before the deadline', async () => {
      const scenario = await start();
      const first = listen(scenario);
      const { keyPair, certificate } = await enrolled(scenario, first, 'device-r');
      const c = listen(scenario, {
        credential: { privateKey: keyPair.privateKey, certificate, chain: [scenario.ca.certificate] },
        trust: { signature: { anchors: [scenario.root.certificate] } },
        autoRenew: { newKeyPair: scenario.newKeyPair },
      });
      await c.client.getCaCertificates(); // a signed request on this connection: reachable here
      const deadline = new Date(Date.now() + 7 * 86_400_000);
      const delivery = await scenario.announcer.announce(recipientKeyOf(subject('device-r')), {
        type: 'rann',
        status: 'revocationWarning',
        certId: certIdOf(certificate),
        willBeRevokedAt: deadline,
        badSinceDate: new Date(),
      });
      expect(delivery.route).toBe('pushed');
      await c.when(() => c.events.length === 1);
      const event = c.events[0]!;
      if (event.type !== 'rann') throw new Error(`expected rann, got ${event.type}`);
      expect([event.statusName, event.ownCertificate]).toEqual(['revocationWarning', true]);
      const renewed = await event.renewal!;
      expect(Date.now()).toBeLessThan(deadline.getTime());
      expect(scenario.requests).toEqual(['ir', 'kur']);
      expect(c.client.currentCertificate()).toEqual(renewed.certificate);
    });

    it('delivers a revocation announcement (rann accepted) as such, without renewal', async () => {
      const scenario = await start();
      const first = listen(scenario);
      const { keyPair, certificate } = await enrolled(scenario, first, 'device-v');
      const c = listen(scenario, {
        credential: { privateKey: keyPair.privateKey, certificate, chain: [scenario.ca.certificate] },
        trust: { signature: { anchors: [scenario.root.certificate] } },
        autoRenew: { newKeyPair: scenario.newKeyPair },
      });
      await c.client.getCaCertificates();
      await scenario.announcer.announce(recipientKeyOf(subject('device-v')), {
        type: 'rann',
        status: 'accepted',
        certId: certIdOf(certificate),
        willBeRevokedAt: new Date(),
        badSinceDate: new Date(),
      });
      await c.when(() => c.events.length === 1);
      const event = c.events[0]!;
      expect(event.type === 'rann' && [event.statusName, event.ownCertificate, event.renewal]).toEqual(['accepted', true, undefined]);
      expect(scenario.requests).toEqual(['ir']);
    });

    it('refuses a forged announcement (signer without a path to the client anchors)', async () => {
      const scenario = await start();
      const a = listen(scenario);
      await enrolled(scenario, a, 'device-f');
      const forged = await buildAnnouncement(
        { type: 'ckuann', ...(await scenario.crossCertificates()) },
        { name: scenario.serverName, credential: scenario.rogueCredential },
      );
      expect((await scenario.announcer.enqueue(recipientKeyOf(subject('device-f')), forged)).route).toBe('pushed');
      await a.when(() => a.refused.length === 1);
      expect(a.refused[0]).toMatchObject({ failInfo: ['signerNotTrusted'] });
      expect(a.events).toEqual([]);
      expect(a.client.trustAnchors()).toEqual([scenario.root.certificate]);
    });

    it('a client that was offline receives what it missed when it connects again', async () => {
      const scenario = await start();
      const a = listen(scenario);
      await enrolled(scenario, a, 'device-o');
      await a.transport.close();
      await eventually(() => scenario.announcer.connected().length === 0);
      const recipient = recipientKeyOf(subject('device-o'));
      const crl = await scenario.ca.createCrl({ entries: [], nextUpdate: new Date(Date.now() + 86_400_000), crlNumber: 1n });
      expect(await scenario.announcer.broadcast({ type: 'crlann', crls: [crl] })).toMatchObject({ recipients: 1, pushed: 0, posted: 0 });
      expect(
        (await scenario.announcer.announce(recipient, { type: 'cann', certificate: scenario.serverCredential.certificate })).route,
      ).toBe('stored');

      const again = listen(scenario, { sender: subject('device-o') });
      await again.client.getCaCertificates();
      await again.when(() => again.events.length === 2);
      expect(again.events.map((e) => e.type)).toEqual(['crlann', 'cann']);
      expect(again.events[0]!.type === 'crlann' && again.events[0]!.crls).toEqual([crl]);
      expect(a.events).toEqual([]);
    });
  });
}
