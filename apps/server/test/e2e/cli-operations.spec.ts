// The `cmpkit` client against `cmpkit-server` where things go wrong or take time: a wrong shared
// secret, a server that makes the client wait, a TCP listener whose server restarts, and an HTTP
// push whose answer is lost on the way back.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '@cmpkit/test-utils';
import { tempDir } from '../helpers.js';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.js';
import { enrollDevice, runAdmin, runClient, startListener, startServer, type RunningListener, type RunningServer } from './e2e-harness.js';

const SECRET = ['--ref', 'demo', '--secret', 'pass:demo-secret-change-me'];
const servers: RunningServer[] = [];
const listeners: RunningListener[] = [];
const proxies: TcpProxy[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

/** A server with fast announcement delivery; `extra` are more `serve` arguments. */
async function server(dir = tempDir(), ...extra: string[]): Promise<RunningServer> {
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ announcementFlushSeconds: 0.1, announcements: { retrySeconds: 0.5 } }));
  const s = await startServer(dir, '--config', join(dir, 'config.json'), ...extra);
  servers.push(s);
  return s;
}

describe('cmpkit against cmpkit-server', () => {
  it('a wrong secret: the server refused the request, and the secret is named as the likely cause', async () => {
    const s = await server();
    const r = await runClient('genm', '--server', s.httpUrl, '--ref', 'demo', '--secret', 'pass:not-the-secret', '--trusted', s.root);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^cmpkit: the server refused the request: rejection badMessageCheck "[^"]+" \(unverified: protection: PBMAC1 protection does not verify\)$/,
      ),
      "cmpkit: hint: the secret given for reference 'demo' is not the one the server has: check --secret and --ref",
      '',
    ]);
  });

  it('says what the server said and when the next poll goes while it makes the client wait', async () => {
    const s = await server();
    const r = await runClient(
      'ir',
      '--server',
      `${s.httpUrl}/p/delayed`,
      ...SECRET,
      '--trusted',
      s.root,
      '--newkey',
      'ec:P-256',
      '--newkeyout',
      join(s.dir, 'delayed.key'),
      '--subject',
      '/CN=delayed',
    );
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^cmpkit: ir: the server asks to wait( \(".+"\))?; polling now$/);
    expect(lines.slice(1)).toEqual(
      lines.slice(1).map(() => expect.stringMatching(/^cmpkit: ir: still waiting after \d+ polls?( \(".+"\))?; next poll in 1 s$/)),
    );
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toMatch(/^ir: enrolled subject=\/CN=delayed/);
  }, 60_000);

  it('cmpkit listen over TCP reconnects with backoff after the server restarts, and gets what is announced then', async () => {
    const dir = tempDir();
    const first = await server(dir);
    const device = await enrollDevice(first, 'device-t');
    const listener = startListener(
      '--server',
      first.tcpUrl,
      '--cert',
      device.cert,
      '--key',
      device.key,
      '--untrusted',
      device.untrusted,
      '--trusted',
      first.root,
      '--json',
    );
    listeners.push(listener);
    await listener.waitFor(/"event":"listening"/);
    const { port: httpPort } = new URL(first.httpUrl);
    const tcpPort = new URL(first.tcpUrl).port;
    servers.splice(servers.indexOf(first), 1);
    expect(await first.stop()).toBe(0);

    const second = await server(dir, '--port', httpPort, '--tcp-port', tcpPort);
    // The listener authenticates again on its new connection; then the announcement reaches it.
    const request = await runAdmin(second, 'renew-request', '--serial', device.serial, '--before', '+30d');
    expect(request.status).toBe(0);
    const [line] = await listener.waitFor(/\{"event":"announcement","type":"rann".*\n/);
    const announcement = JSON.parse(line!) as Record<string, unknown>;
    expect(announcement).toMatchObject({
      event: 'announcement',
      type: 'rann',
      status: 'revocationWarning',
      serialNumber: device.serial,
      ownCertificate: true,
      transactionID: expect.stringMatching(/^[0-9a-f]{32}$/),
      sender: '/O=cmpkit demo/CN=cmpkit CMP Server',
    });
    expect(
      listener
        .stdout()
        .split('\n')
        .filter(Boolean)
        .every((l) => JSON.parse(l) !== undefined),
    ).toBe(true);
  }, 90_000);

  it('cmpkit listen --http-listen acknowledges a repeated delivery (its answer was lost) as delivered, so later ones follow', async () => {
    const s = await server();
    const device = await enrollDevice(s, 'device-h');
    const listener = startListener('--server', s.httpUrl, '--http-listen', '127.0.0.1:0', '--trusted', s.root, '--json');
    listeners.push(listener);
    const [line] = await listener.waitFor(/\{"event":"listening".*\n/);
    const listening = new URL((JSON.parse(line!) as { url: string }).url);
    const proxy = await startTcpProxy({ host: listening.hostname, port: Number(listening.port) });
    proxies.push(proxy);
    const pushUrl = `http://127.0.0.1:${proxy.port}/`;
    // The server announces its first CRL once; it must not be the POST whose answer is dropped.
    await waitUntil(() => /announced a new CRL crlNumber=1 /.test(s.stderr()), { what: 'the first CRL announced' });
    expect((await runAdmin(s, 'subscriber', 'add', pushUrl, '--subject', '/CN=device-h')).status).toBe(0);

    // The admin commands retry on the server's settings (announcements.retrySeconds).
    const settings = ['--config', join(s.dir, 'config.json')];
    // The first POST reaches the listener, its answer is dropped: the CA does not know it arrived.
    proxy.dropAnswers(1);
    const first = await runAdmin(s, 'renew-request', '--serial', device.serial, '--before', '+30d', ...settings);
    expect(first.stdout).toContain('stored for the running server to deliver');
    await listener.waitFor(/"type":"rann".*"status":"revocationWarning"/);
    // The running server posts it again after announcements.retrySeconds; the listener knows it and
    // answers 202, so the next announcement to the same end entity is not held back behind it.
    const second = await runAdmin(s, 'revoke', '--serial', device.serial, '--reason', 'superseded', ...settings);
    expect(second.status).toBe(0);
    await listener.waitFor(/"type":"rann".*"status":"accepted"/);
    expect(listener.stderr()).toMatch(/an announcement received before came again .*acknowledged, not acted on/);
    const ranns = listener
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"type":"rann"'))
      .map((l) => (JSON.parse(l) as { status: string }).status);
    expect(ranns).toEqual(['revocationWarning', 'accepted']);
    expect(proxy.connections).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
