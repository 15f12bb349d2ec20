// HTTP push of announcements (RFC 9811 section 3.7): postAnnouncement against the package's own
// receivers on 127.0.0.1, and an announcer of @cmpkit/core delivering through it to a client
// that verifies what arrives.
import { parseName } from '@cmpkit/codec';
import { createClient, loopbackTransport, memoryPushUrlStore, recipientKeyOf, type AnnouncementEvent } from '@cmpkit/core';
import { createAnnouncementScenario } from '@cmpkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransportError, postAnnouncement, toAnnouncementNodeListener, type AnnouncementHandler } from '../src/index.js';
import { fixture } from './support/fixtures.js';
import { listen, type Listening } from './support/listen.js';

const GENP = fixture('der/openssl-3.0/genp.der');

const servers: Listening[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function receiver(onAnnouncement: AnnouncementHandler): Promise<Listening> {
  const server = await listen(toAnnouncementNodeListener(onAnnouncement));
  servers.push(server);
  return server;
}

describe('postAnnouncement', () => {
  it.each([
    ['stored', 'stored'],
    ['accepted', 'accepted'],
    [undefined, 'accepted'],
  ] as const)('reads the receiver answering %s as %s', async (answer, expected) => {
    const got: Uint8Array[] = [];
    const server = await receiver(async (message) => {
      got.push(message.slice());
      return answer;
    });
    expect(await postAnnouncement(server.url(), GENP)).toBe(expected);
    expect(Buffer.from(got[0]!).equals(Buffer.from(GENP))).toBe(true);
  });

  it('rejects with an HttpTransportError carrying the status for any other answer', async () => {
    const server = await receiver(() => 'rejected');
    const error = await postAnnouncement(server.url(), GENP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).status).toBe(400);
    const notFound = await postAnnouncement(server.url('/elsewhere'), GENP).catch((e: unknown) => e);
    expect((notFound as HttpTransportError).status).toBe(404);
  });

  it('rejects when nobody listens, and refuses URLs that are not HTTP', async () => {
    const server = await receiver(() => 'stored');
    const url = server.url();
    await server.close();
    servers.length = 0;
    await expect(postAnnouncement(url, GENP)).rejects.toBeInstanceOf(HttpTransportError);
    await expect(postAnnouncement('ftp://127.0.0.1/x', GENP)).rejects.toThrow(TypeError);
  });
});

describe('an announcer pushing over HTTP to registered URLs', () => {
  it('posts to the recipient URL (201), where the client verifies it; a refusing receiver leaves it stored', async () => {
    const urls = memoryPushUrlStore();
    const scenario = await createAnnouncementScenario({ httpPush: { store: urls, post: postAnnouncement }, retry: { initialDelayMs: 0 } });
    const client = createClient({ transport: loopbackTransport(scenario.server.handle), ...scenario.clientInit() });
    const events: AnnouncementEvent[] = [];
    client.onAnnouncement((event) => events.push(event));
    const accepting = await receiver(async (message) => {
      await client.receiveAnnouncement(message);
      return 'stored' as const;
    });
    const recipient = recipientKeyOf(parseName('/O=cmpkit test/CN=device-h'));
    await urls.register(recipient, accepting.url());

    const cross = await scenario.crossCertificates();
    expect(await scenario.announcer.broadcast({ type: 'ckuann', ...cross })).toMatchObject({ recipients: 1, pushed: 0, posted: 1 });
    expect(events.map((e) => e.type)).toEqual(['ckuann']);
    expect(client.trustAnchors()).toEqual([scenario.root.certificate, scenario.newRoot.certificate]);

    const refusing = await receiver(() => 'rejected');
    const other = recipientKeyOf(parseName('/O=cmpkit test/CN=device-i'));
    await urls.register(other, refusing.url());
    const delivery = await scenario.announcer.announce(other, { type: 'cann', certificate: scenario.serverCredential.certificate });
    expect(delivery.route).toBe('stored');
    // Once the URL works, flush() delivers what waited (its retry time has come: the delay is 0 here).
    await urls.unregister(other, refusing.url());
    await urls.register(other, accepting.url());
    expect(await scenario.announcer.flush()).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['ckuann', 'cann']);
  });
});
