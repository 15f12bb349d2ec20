import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePem, encodePem } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { openSqliteServerStore } from '@cmpkit/store-sqlite';
import { tempDir } from '../helpers.js';
import { enrollDevice, runAdmin, runClient, startListener, startServer, type RunningListener, type RunningServer } from './e2e-harness.js';

// CA-initiated announcements end to end: `cmpkit-server` admin commands (separate from the
// running server, sharing its database) announce; `cmpkit listen` clients on TCP, WebSocket and
// HTTP push receive, verify and act.

const SECRET = ['--ref', 'demo', '--secret', 'pass:demo-secret-change-me'];
let server: RunningServer | undefined;
const listeners: RunningListener[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
  await server?.stop();
  server = undefined;
});

/** Resolves once `condition` holds (checked every 20 ms); fails the test after 20 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 20_000) throw new Error('condition not met within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function certificatesIn(path: string): Uint8Array[] {
  return decodePem(readFileSync(path, 'utf8')).map((b) => b.der);
}

function serialOf(path: string): string {
  return parseCertificate(certificatesIn(path)[0]!).serialNumber.toString(16);
}

/**
 * A server with TCP and WebSocket. Its safety-net timer is an hour by default: announcements the
 * admin commands store reach connected clients by the store's wake-up alone, and a rollover's new
 * root is loaded before its ckuann goes out, not on a tick.
 */
async function announcingServer(flushSeconds = 3600): Promise<RunningServer> {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ announcementFlushSeconds: flushSeconds }));
  server = await startServer(dir, '--config', join(dir, 'config.json'));
  return server;
}

function listen(
  url: string,
  device: { cert: string; key: string; trusted: string; untrusted: string },
  ...extra: string[]
): RunningListener {
  const listener = startListener(
    '--server',
    url,
    '--cert',
    device.cert,
    '--key',
    device.key,
    '--trusted',
    device.trusted,
    '--untrusted',
    device.untrusted,
    ...extra,
  );
  listeners.push(listener);
  return listener;
}

describe('announcements end to end', () => {
  it('pushes a CA key rollover (ckuann) to two connected clients (TCP and WebSocket), which then trust certificates from the new root', async () => {
    const s = await announcingServer();
    const a = await enrollDevice(s, 'device-a');
    const b = await enrollDevice(s, 'device-b');
    const oldRoot = readFileSync(s.root, 'utf8');
    const overTcp = listen(s.tcpUrl, a);
    const overWs = listen(s.wsUrl, b);
    await overTcp.waitFor(/listening for announcements on tcp:/);
    await overWs.waitFor(/listening for announcements on ws:/);

    const rollover = await runAdmin(s, 'ca', 'rollover');
    expect(rollover.stderr).toBe('');
    expect(rollover.stdout).toContain('CA key update announced: stored 2 for the running server to deliver');
    const newRoot = certificatesIn(s.root)[0]!;
    expect(readFileSync(s.root, 'utf8')).not.toBe(oldRoot);

    for (const [listener, device] of [
      [overTcp, a],
      [overWs, b],
    ] as const) {
      await listener.waitFor(/trust anchors written to/);
      expect(listener.stdout()).toMatch(/ckuann: new root CA subject=\/O=cmpkit demo\/CN=cmpkit Root CA .*now trusted/);
      const anchors = certificatesIn(device.trusted);
      expect(anchors).toHaveLength(2);
      expect(anchors[1]).toEqual(newRoot);
    }

    // Trusting only the new root, a device enrolls: the response and the certificate verify under it.
    writeFileSync(join(s.dir, 'new-root-only.pem'), encodePem('CERTIFICATE', newRoot));
    const ir = await runClient(
      'ir',
      '--server',
      s.wsUrl,
      ...SECRET,
      '--trusted',
      join(s.dir, 'new-root-only.pem'),
      '--newkey',
      'ec:P-256',
      '--newkeyout',
      join(s.dir, 'device-c.key'),
      '--subject',
      '/CN=device-c',
      '--certout',
      join(s.dir, 'device-c.pem'),
      '--srvcert',
      join(s.dir, 'data', 'cmp-server.pem'),
    );
    expect(ir.stderr).toBe('');
    expect(ir.stdout).toContain('ir: enrolled subject=/CN=device-c');
    const signed = await runClient(
      'genm',
      '--server',
      s.tcpUrl,
      '--cert',
      a.cert,
      '--key',
      a.key,
      '--trusted',
      join(s.dir, 'new-root-only.pem'),
      '--untrusted',
      s.issuing,
      '--infotype',
      'caCerts',
    );
    expect(signed.stderr).toBe('');

    // Those who pull get the same update (genm rootCaCert -> rootCaKeyUpdate), verified with the old root.
    writeFileSync(join(s.dir, 'old-root.pem'), oldRoot);
    const pulled = await runClient(
      'rootupdate',
      '--server',
      s.httpUrl,
      ...SECRET,
      '--trusted',
      join(s.dir, 'old-root.pem'),
      '--oldroot',
      join(s.dir, 'old-root.pem'),
      '--newwithnew',
      join(s.dir, 'pulled.pem'),
    );
    expect(pulled.stderr).toBe('');
    expect(certificatesIn(join(s.dir, 'pulled.pem'))[0]).toEqual(newRoot);
  }, 90_000);

  it('renew-request makes a listening client with --auto-renew run kur before the deadline; revoke sends it a rann', async () => {
    const s = await announcingServer();
    const device = await enrollDevice(s, 'device-r');
    const before = serialOf(device.cert);
    const listener = listen(s.wsUrl, device, '--auto-renew', '--untrusted', join(s.dir, 'data', 'issuing-ca.pem'));
    await listener.waitFor(/listening for announcements/);

    const deadline = '2099-01-01T00:00:00.000Z';
    const request = await runAdmin(s, 'renew-request', '--serial', before, '--before', deadline);
    expect(request.stderr).toBe('');
    expect(request.stdout).toContain(`renewal of ${before} (/CN=device-r) requested before ${deadline}`);
    await listener.waitFor(/kur: renewed/);
    expect(listener.stdout()).toContain(`rann: revocationWarning serial=${before} willBeRevokedAt=${deadline} (our certificate)`);
    const after = serialOf(device.cert);
    expect(after).not.toBe(before);
    expect(s.stderr()).toMatch(/kur -> kup accepted/);

    const revoked = await runAdmin(s, 'revoke', '--serial', after);
    expect(revoked.stderr).toBe('');
    expect(revoked.stdout).toContain('revocation announced to /CN=device-r');
    await listener.waitFor(new RegExp(`rann: accepted serial=${after} `));
    await listener.waitFor(/crlann: 1 CRL\(s\)/);
  }, 90_000);

  it('announces a CRL the running server signed itself (rr over CMP) to connected clients (on its timer)', async () => {
    const s = await announcingServer(0.1);
    const watcher = await enrollDevice(s, 'device-w');
    const other = await enrollDevice(s, 'device-x');
    const listener = listen(s.tcpUrl, watcher);
    await listener.waitFor(/listening for announcements/);
    const rr = await runClient(
      'rr',
      '--server',
      s.wsUrl,
      '--cert',
      other.cert,
      '--key',
      other.key,
      '--trusted',
      other.trusted,
      '--untrusted',
      join(s.dir, 'data', 'issuing-ca.pem'),
      '--oldcert',
      other.cert,
    );
    expect(rr.stderr).toBe('');
    await listener.waitFor(/crlann: 1 CRL\(s\)/);
    // The server logs once the broadcast is done, which may be after the push arrived.
    await until(() => /announced a new CRL crlNumber=2/.test(s.stderr()));
  }, 90_000);

  it('announces a certificate issued out of band (cert issue -> cann) to its holder', async () => {
    const s = await announcingServer();
    const device = await enrollDevice(s, 'device-c');
    const listener = listen(s.wsUrl, device);
    await listener.waitFor(/listening for announcements/);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(s.dir, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const issued = await runAdmin(
      s,
      'cert',
      'issue',
      '--subject',
      '/CN=device-c',
      '--pubkey',
      join(s.dir, 'pub.pem'),
      '--profile',
      'tlsClient',
    );
    expect(issued.stderr).toBe('');
    const [, serial] = /issued ([0-9a-f]+) for \/CN=device-c \(profile tlsClient\)/.exec(issued.stdout) ?? [];
    expect(issued.stdout).toContain('certificate announced to /CN=device-c: stored for the running server to deliver');
    await listener.waitFor(new RegExp(`cann: certificate subject=/CN=device-c .*serial=${serial}`));
    expect((await runAdmin(s, 'cert', 'list')).stdout).toMatch(new RegExp(`${serial}\t/CN=device-c\tissued\t.*\ttlsClient`));
  }, 90_000);

  it('keeps what a client missed while offline and delivers it when it reconnects', async () => {
    const s = await announcingServer();
    const device = await enrollDevice(s, 'device-o');
    const serial = serialOf(device.cert);
    const request = await runAdmin(s, 'renew-request', '--serial', serial, '--before', '+30d');
    expect(request.stdout).toContain('stored for the running server to deliver');

    const listener = listen(s.tcpUrl, device, '--count', '1');
    await listener.waitFor(new RegExp(`rann: revocationWarning serial=${serial} `));
    expect(await listener.done).toBe(0);
  }, 90_000);

  it('a listener refused with systemFailure (the store was locked) authenticates again and is then reachable', async () => {
    const s = await announcingServer();
    const device = await enrollDevice(s, 'device-l');
    const serial = serialOf(device.cert);
    // Another process holds SQLite's write lock: the server's writes give up after its busy timeout.
    const lock = await openSqliteServerStore(join(s.dir, 'data', 'cmpkit-server.sqlite'));
    lock.db.exec('BEGIN IMMEDIATE');
    const listener = listen(s.wsUrl, device);
    try {
      await until(() => /systemFailure.*; trying again in 1 s/.test(listener.stderr()));
    } finally {
      lock.db.exec('ROLLBACK');
      await lock.close();
    }
    await listener.waitFor(/listening for announcements on ws:/);
    await runAdmin(s, 'renew-request', '--serial', serial, '--before', '+30d');
    await listener.waitFor(new RegExp(`rann: revocationWarning serial=${serial} `));
  }, 90_000);

  it('refuses a forged announcement: a crlann signed by another CA, pushed over HTTP', async () => {
    const s = await announcingServer();
    const listener = startListener('--server', s.httpUrl, '--http-listen', '127.0.0.1:0', '--trusted', s.root);
    listeners.push(listener);
    const [, url] = await listener.waitFor(/pushed over HTTP on (http:\/\/\S+)/);
    // A second CA (its own data directory) that knows our listener's URL.
    const forger = { ...s, dir: tempDir() };
    expect((await runAdmin(forger, 'init')).status).toBe(0);
    expect((await runAdmin(forger, 'subscriber', 'add', url!)).status).toBe(0);
    const crl = await runAdmin(forger, 'crl', '--new', '--out', join(forger.dir, 'crl.der'));
    // The listener answered 400: the announcement stays with the forger, undelivered.
    expect(crl.stderr).toMatch(/CRL number 2 announced: stored 1/);
    expect(listener.stderr()).toMatch(/announcement refused: .*(signerNotTrusted|no trusted path)/);
    expect(listener.stdout()).not.toContain('crlann');
  }, 90_000);

  it('pushes a new CRL (crlann) over HTTP to a registered subscriber (RFC 9811 3.7)', async () => {
    const s = await announcingServer();
    const listener = startListener('--server', s.httpUrl, '--http-listen', '127.0.0.1:0', '--trusted', s.root);
    listeners.push(listener);
    const [, url] = await listener.waitFor(/pushed over HTTP on (http:\/\/\S+)/);
    const added = await runAdmin(s, 'subscriber', 'add', url!);
    expect(added.stdout).toContain(`added: ${url} (broadcasts)`);
    expect((await runAdmin(s, 'subscriber', 'list')).stdout).toContain(`${url}\t(broadcasts)`);

    const crl = await runAdmin(s, 'crl', '--new', '--out', join(s.dir, 'crl.der'));
    expect(crl.status).toBe(0);
    await listener.waitFor(/crlann: 1 CRL\(s\)/);
    // CRL 2 was announced once: by the command (posted at once), or by the running server when
    // its delivery tick came between the signing and the command's claim.
    const byCommand = /CRL number 2 announced: posted 1/.test(crl.stderr);
    if (!byCommand) await until(() => /announced a new CRL crlNumber=2/.test(s.stderr()));
    expect(byCommand && /announced a new CRL crlNumber=2/.test(s.stderr())).toBe(false);

    expect((await runAdmin(s, 'subscriber', 'remove', url!)).stdout).toContain(`removed ${url}`);
  }, 90_000);
});
