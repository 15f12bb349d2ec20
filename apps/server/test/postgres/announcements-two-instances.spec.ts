// Two `cmpkit-server serve` processes on one PostgreSQL database, end entities connected to
// either over WebSocket: every announcement an admin command stores reaches its end entity
// exactly once, on the instance where it is connected, by PostgreSQL's LISTEN/NOTIFY (the
// instances' safety-net timers are an hour here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePem, parseName } from '@cmpkit/codec';
import { createClient, type AnnouncementEvent, type CmpClient } from '@cmpkit/core';
import type { ServerStore } from '@cmpkit/issuer';
import { httpTransport } from '@cmpkit/transport-http';
import { wsTransport } from '@cmpkit/transport-ws';
import { postgresMissing, postgresUrl, waitUntil, type TestDatabase } from '@cmpkit/test-utils';
import { runCli } from '../run-cli.js';
import { serialOf } from '../helpers.js';
import type { ServerProcess } from './server-process.js';
import { startTwoInstances } from './two-instances.js';

const SECRET = { secret: 'demo-secret-change-me', senderKID: 'demo' };

interface Device {
  name: string;
  serial: string;
  instance: 'a' | 'b';
  client: CmpClient;
  events: AnnouncementEvent[];
  close(): Promise<void>;
}

describe.skipIf(!postgresUrl)(
  `announcements with two server processes on one PostgreSQL database${postgresUrl ? '' : ` (skipped: ${postgresMissing})`}`,
  () => {
    let database: TestDatabase;
    let store: ServerStore;
    let a: ServerProcess;
    let b: ServerProcess;
    let dir: string;
    let config: string;
    const devices: Device[] = [];

    beforeAll(async () => {
      ({ database, dir, config, a, b, store } = await startTwoInstances({ announcementFlushSeconds: 3600, expirySweepSeconds: 3600 }));
    }, 120_000);

    afterAll(async () => {
      await Promise.all(devices.map((d) => d.close()));
      await Promise.all([a?.stop(), b?.stop()]);
      await store?.close();
      await database?.drop();
    });

    const pem = (file: string): Uint8Array[] => decodePem(readFileSync(join(dir, 'data', file), 'utf8')).map((block) => block.der);

    /** Enrolls `name` over HTTP, then connects it over WebSocket to `instance` with its certificate and makes itself known. */
    async function connectDevice(name: string, instance: 'a' | 'b'): Promise<Device> {
      const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      const root = pem('root-ca.pem')[0]!;
      const enrolled = await createClient({ transport: httpTransport({ url: a.url }), credential: SECRET, trustAnchors: [root] }).enroll({
        keyPair,
        subject: parseName(`/CN=${name}`),
      });
      const url = (instance === 'a' ? a : b).url.replace(/^http/, 'ws');
      const events: AnnouncementEvent[] = [];
      const transport = wsTransport({ url, onPush: (message) => void client.receivePush(message) });
      const client = createClient({
        transport,
        credential: { privateKey: keyPair.privateKey, certificate: enrolled.certificate, chain: pem('issuing-ca.pem') },
        trust: { signature: { anchors: [root] } },
        trustAnchors: [root],
      });
      client.onAnnouncement((event) => events.push(event));
      await client.getCaCertificates(); // signed, on this connection: the instance knows the device is here
      const device = { name, serial: serialOf(enrolled.certificate), instance, client, events, close: () => transport.close() };
      devices.push(device);
      return device;
    }

    it('delivers each renew-request to its device only, once, on its instance; a rollover reaches every device once', async () => {
      for (const [i, instance] of (['a', 'a', 'a', 'b', 'b', 'b'] as const).entries())
        await connectDevice(`device-${i}-on-${instance}`, instance);
      await waitUntil(async () => (await store.announcements.recipients()).length >= devices.length, { what: 'every device recorded' });

      for (const device of devices) {
        const request = await runCli({ cwd: dir }, 'renew-request', '--serial', device.serial, '--before', '+30d', '--config', config);
        expect(request.status, request.stderr).toBe(0);
      }
      await waitUntil(() => devices.every((d) => d.events.length === 1), { what: 'one rann at every device', timeoutMs: 30_000 });
      for (const device of devices) {
        const [event] = device.events;
        expect(event?.type === 'rann' && [event.statusName, event.ownCertificate]).toEqual(['revocationWarning', true]);
      }

      const rollover = await runCli({ cwd: dir }, 'ca', 'rollover', '--config', config);
      expect(rollover.status, rollover.stderr).toBe(0);
      await waitUntil(() => devices.every((d) => d.events.length === 2), { what: 'one ckuann at every device', timeoutMs: 30_000 });
      await waitUntil(async () => (await store.announcements.pendingCount()) === 0, { what: 'nothing left to deliver' });
      for (const device of devices) expect(device.events.map((e) => e.type)).toEqual(['rann', 'ckuann']);
      // A device has a connection to its instance only, so that instance delivered; and none of it
      // waited for an instance's timer.
      const delivered = (log: string): number => (log.match(/announcements delivered by the safety net/g) ?? []).length;
      expect(delivered(a.log()) + delivered(b.log())).toBe(0);
      // Both loaded the new root before their ckuann left.
      expect(a.log()).toContain('loaded the new root CA');
      expect(b.log()).toContain('loaded the new root CA');
    }, 180_000);
  },
);
