import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runAdmin, runClient, startListener, startServer, type RunningListener, type RunningServer } from './e2e-harness.js';

// CMP over CoAP (RFC 9482) between `cmpkit` and `cmpkit-server serve --coap-port`: cr, p10cr and
// genm on each carrier (ir, kur and rr are in transports.spec.ts), and a CA key update (ckuann)
// delivered to a `cmpkit listen` that observes the announcements over UDP, TCP and WebSocket.

const SECRET = ['--ref', 'demo', '--secret', 'pass:demo-secret-change-me'];
let server: RunningServer | undefined;
const listeners: RunningListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
  await server?.stop();
  server = undefined;
});

const CARRIERS = [
  ['coap', (s: RunningServer) => s.coapUrl],
  ['coap+tcp', (s: RunningServer) => s.coapTcpUrl],
  ['coap+ws', (s: RunningServer) => s.coapWsUrl],
] as const;

describe.each(CARRIERS)('cmpkit over %s against cmpkit-server', (name, urlOf) => {
  it('certifies with cr and p10cr, and answers genm', async () => {
    const dir = tempDir();
    server = await startServer(dir);
    const url = urlOf(server);
    const file = (f: string): string => join(dir, f);
    const cr = await runClient(
      'cr',
      '--server',
      url,
      ...SECRET,
      '--trusted',
      server.root,
      '--newkey',
      'ec:P-256',
      '--newkeyout',
      file('cr.key'),
      '--subject',
      `/CN=${name.replace('+', '-')}-cr`,
      '--certout',
      file('cr.pem'),
    );
    expect(cr.stderr).toBe('');
    expect(cr.stdout).toContain(`cr: enrolled subject=/CN=${name.replace('+', '-')}-cr`);

    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(file('p10.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync('openssl', [
      'req',
      '-new',
      '-key',
      file('p10.key'),
      '-subj',
      `/CN=${name.replace('+', '-')}-p10`,
      '-out',
      file('p10.csr'),
    ]);
    const csr = await runClient(
      'p10cr',
      '--server',
      url,
      ...SECRET,
      '--trusted',
      server.root,
      '--csr',
      file('p10.csr'),
      '--certout',
      file('p10.pem'),
    );
    expect(csr.stderr).toBe('');
    expect(csr.stdout).toContain(`p10cr: enrolled subject=/CN=${name.replace('+', '-')}-p10`);

    const genm = await runClient('cacerts', '--server', url, ...SECRET, '--trusted', server.root);
    expect(genm.stderr).toBe('');
    expect(genm.stdout).toContain('cacerts: 2 certificate(s)');
  }, 60_000);
});

describe('announcements over CoAP (Observe)', () => {
  it('delivers a CA key update (ckuann) to listeners observing over UDP, TCP and WebSocket', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ announcementFlushSeconds: 0.1 }));
    server = await startServer(dir, '--config', join(dir, 'config.json'));
    const s = server;
    const running: RunningListener[] = [];
    for (const [name, urlOf] of CARRIERS) {
      const device = `device-${name.replace('+', '-')}`;
      const file = (f: string): string => join(dir, f);
      writeFileSync(file(`${device}-trust.pem`), readFileSync(s.root, 'utf8'));
      const ir = await runClient(
        'ir',
        '--server',
        urlOf(s),
        ...SECRET,
        '--trusted',
        file(`${device}-trust.pem`),
        '--newkey',
        'ec:P-256',
        '--newkeyout',
        file(`${device}.key`),
        '--subject',
        `/CN=${device}`,
        '--certout',
        file(`${device}.pem`),
      );
      expect(ir.stderr).toBe('');
      const listener = startListener(
        '--server',
        urlOf(s),
        '--cert',
        file(`${device}.pem`),
        '--key',
        file(`${device}.key`),
        '--trusted',
        file(`${device}-trust.pem`),
        // The device's chain goes into extraCerts with its signed requests (RFC 9483 section 3.3).
        '--untrusted',
        s.issuing,
      );
      listeners.push(listener);
      running.push(listener);
      await listener.waitFor(new RegExp(`listening for announcements on ${name.replace('+', '\\+')}:`));
    }
    const rollover = await runAdmin(s, 'ca', 'rollover');
    expect(rollover.stderr).toBe('');
    expect(rollover.stdout).toContain('CA key update announced: stored 3 for the running server to deliver');
    for (const listener of running) {
      await listener.waitFor(/trust anchors written to/);
      expect(listener.stdout()).toMatch(/ckuann: new root CA subject=\/O=cmpkit demo\/CN=cmpkit Root CA .*now trusted/);
    }
  }, 90_000);
});
