// What an operator runs `serve` with: the ready line on stdout, /health and /ready, Prometheus
// metrics that move with the transactions, JSON logs with the transactionID on every line of a
// transaction, shared secrets and the RA mode on the command line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '@cmpkit/test-utils';
import {
  enrollDevice,
  runAdmin,
  runClient,
  startListener,
  startServer,
  type RunningListener,
  type RunningServer,
} from '../e2e/e2e-harness.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../run-cli.js';

const running: RunningServer[] = [];
const listeners: RunningListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** `serve` in-process on free loopback ports (HTTP with WebSocket, and TCP), data in `dir`/data. */
async function serve(dir: string, ...args: string[]): Promise<RunningServer> {
  const served = await startServer(dir, ...args);
  running.push(served);
  return served;
}

/** The JSON lines of a text (the ready line among the human-readable ones). */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function scrape(served: RunningServer): Promise<string> {
  const answer = await fetch(served.address.metricsUrl!);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toContain('text/plain');
  return answer.text();
}

/** The value of one sample line of the exposition, or undefined when it is not there. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const DEMO = ['--ref', 'demo', '--secret', 'pass:demo-secret-change-me'];

describe('cmpkit-server serve for operators', () => {
  it("prints one JSON ready line with every listener's URL; /health and /ready answer on the HTTP port", async () => {
    const served = await serve(tempDir(), '--metrics-port', '0');
    const [ready, ...more] = jsonLines(served.stdout());
    expect(more).toEqual([]);
    const { address } = served;
    const origin = new URL(address.url).origin;
    expect(ready).toEqual({
      event: 'ready',
      role: 'ca',
      pid: process.pid,
      dataDir: join(served.dir, 'data'),
      listeners: {
        http: address.url,
        ws: address.wsUrl,
        tcp: address.tcpUrl,
        coap: address.coapUrl,
        coapTcp: address.coapTcpUrl,
        coapWs: address.coapWsUrl,
        metrics: address.metricsUrl,
      },
      healthUrl: `${origin}/health`,
      readyUrl: `${origin}/ready`,
    });
    expect(address.tcpUrl).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(address.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const health = await fetch(`${origin}/health`);
    expect([health.status, health.headers.get('content-type'), await health.json()]).toEqual([200, 'application/json', { status: 'ok' }]);
    const readiness = await fetch(`${origin}/ready`);
    expect(readiness.status).toBe(200);
    expect(await readiness.json()).toEqual({ status: 'ready', checks: { database: 'ok', caMaterial: 'ok' } });
    expect((await fetch(`${origin}/ready`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${origin}/health`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${origin}/metrics`)).status).toBe(404); // metrics stay off the CMP port
    expect((await fetch(address.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('counts requests by type, outcome and failInfo, latencies, certificates, approvals and announcements in /metrics', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ announcementFlushSeconds: 0.1 }));
    const served = await serve(dir, '--config', 'config.json', '--metrics-port', '0');
    const file = (name: string): string => join(dir, name);
    const url = served.address.url;
    const trusted = served.root;
    const device = await enrollDevice(served, 'metrics-device');
    const refused = await runClient('genm', '--server', url, '--ref', 'demo', '--secret', 'pass:wrong', '--trusted', trusted);
    expect(refused.status).toBe(1);

    // An approval request stays pending (the gauge), until the operator rejects it.
    const approval = runClient(
      'ir',
      '--server',
      `${url}/p/approval`,
      ...DEMO,
      '--newkey',
      'ec:P-256',
      '--newkeyout',
      file('waiting.key'),
      '--subject',
      '/CN=needs-ok',
    );
    const pending = await waitUntil(async () => sample(await scrape(served), 'cmpkit_pending_approvals') === 1 || undefined, {
      what: 'the pending approval gauge at 1',
    });
    expect(pending).toBe(true);
    const [ticket] = (await runAdmin({ dir }, 'pending', 'list')).stdout.split('\t');
    expect((await runAdmin({ dir }, 'pending', 'reject', ticket!)).status).toBe(0);
    expect((await approval).status).toBe(1);

    // An announcement the admin command stores is delivered by the running server to a listener
    // (once the server's announcement of its first CRL is behind it: that one is not counted here).
    await waitUntil(() => /announced a new CRL crlNumber=1 /.test(served.stderr()), { what: 'the first CRL announced' });
    const listener = startListener(
      '--server',
      served.tcpUrl,
      '--cert',
      device.cert,
      '--key',
      device.key,
      '--untrusted',
      device.untrusted,
      '--trusted',
      device.trusted,
    );
    listeners.push(listener);
    await listener.waitFor(/listening for announcements/);
    expect((await runAdmin({ dir }, 'renew-request', '--serial', device.serial, '--before', '+1d')).status).toBe(0);
    await listener.waitFor(/rann: revocationWarning/);
    // The server marks it delivered once the push was taken, which may be just after it arrived.
    const afterDelivery = await waitUntil(
      async () => {
        const t = await scrape(served);
        return sample(t, 'cmpkit_announcements_delivered_total') === 1 ? t : undefined;
      },
      { what: 'one announcement delivered' },
    );
    expect(sample(afterDelivery, 'cmpkit_announcements_pending')).toBe(0);

    const rr = await runClient(
      'rr',
      '--server',
      url,
      '--cert',
      device.cert,
      '--key',
      device.key,
      '--trusted',
      trusted,
      '--untrusted',
      join(dir, 'data', 'issuing-ca.pem'),
      '--oldcert',
      device.cert,
      '--revreason',
      '1',
    );
    expect(rr.stderr).toBe('');

    const text = await scrape(served);
    expect(sample(text, 'cmpkit_requests_total{type="ir",outcome="accepted",fail_info=""}')).toBe(1);
    expect(sample(text, 'cmpkit_requests_total{type="certConf",outcome="accepted",fail_info=""}')).toBe(1);
    expect(sample(text, 'cmpkit_requests_total{type="genm",outcome="rejection",fail_info="badMessageCheck"}')).toBe(1);
    expect(sample(text, 'cmpkit_requests_total{type="ir",outcome="waiting",fail_info=""}')).toBe(1);
    expect(sample(text, 'cmpkit_requests_total{type="pollReq",outcome="rejection",fail_info="notAuthorized"}')).toBe(1);
    expect(sample(text, 'cmpkit_requests_total{type="rr",outcome="accepted",fail_info=""}')).toBe(1);
    expect(sample(text, 'cmpkit_request_duration_seconds_count{type="ir"}')).toBe(2);
    expect(sample(text, 'cmpkit_certificates_issued_total')).toBe(1);
    expect(sample(text, 'cmpkit_certificates_revoked_total{reason="1"}')).toBe(1);
    expect(sample(text, 'cmpkit_pending_approvals')).toBe(0);
    expect(text).toContain('# TYPE cmpkit_store_errors_total counter');
    // The revocation made a new CRL, which the running server announces (crlann) to the listener.
    await waitUntil(async () => (sample(await scrape(served), 'cmpkit_announcements_queued_total') ?? 0) >= 1, {
      what: 'the crlann queued by the server',
    });
    expect(text).toContain('process_resident_memory_bytes');
  }, 90_000);

  it('writes JSON log lines with --log-format json, each line of a transaction carrying its transactionID', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ logLevel: 'debug' }));
    const served = await serve(dir, '--config', 'config.json', '--log-format', 'json');
    const ir = await runClient(
      'ir',
      '--server',
      served.address.url,
      ...DEMO,
      '--newkey',
      'ec:P-256',
      '--newkeyout',
      join(dir, 'k.pem'),
      '--subject',
      '/CN=json-logs',
      '--reqout',
      join(dir, 'ir.der'),
    );
    expect(ir.status).toBe(0);
    await served.stop();
    const lines = served
      .stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => typeof l.time === 'string' && typeof l.level === 'string' && typeof l.msg === 'string')).toBe(true);
    const request = lines.find((l) => l.msg === 'ir -> ip accepted')!;
    expect(request).toMatchObject({ level: 'info', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/), ms: expect.any(Number) });
    const transactionID = request.transactionID as string;
    expect(transactionID).toMatch(/^[0-9a-f]{32}$/);
    // The engine's and the issuer's lines of that transaction carry it too.
    const ofTransaction = lines.filter((l) => l.transactionID === transactionID).map((l) => l.msg);
    expect(ofTransaction).toEqual(
      expect.arrayContaining(['certificate issued', 'cmp: answered', 'ir -> ip accepted', 'certConf -> pkiconf']),
    );
    expect(lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('cmp: ')).every((l) => l.transactionID !== undefined)).toBe(
      true,
    );
  });

  it('serves with shared secrets from the command line (in front of the stored ones, never stored) and refuses malformed ones', async () => {
    const dir = tempDir();
    const served = await serve(dir, '--secret', 'ops:pass:from-the-command-line', '--secret', 'demo:pass:overridden');
    const genm = (ref: string, secret: string) =>
      runClient(
        'genm',
        '--server',
        served.address.url,
        '--ref',
        ref,
        '--secret',
        `pass:${secret}`,
        '--trusted',
        join(dir, 'data', 'root-ca.pem'),
      );
    expect((await genm('ops', 'from-the-command-line')).status).toBe(0);
    expect((await genm('demo', 'overridden')).status).toBe(0);
    expect((await genm('demo', 'demo-secret-change-me')).status).toBe(1);
    const stored = await runAdmin({ dir }, 'secret', 'list');
    expect(stored.stdout).toContain('demo');
    expect(stored.stdout).not.toContain('ops');

    for (const [arg, message] of [
      ['no-colon', "--secret 'no-colon' must be REF:pass:TEXT, REF:env:VAR or REF:file:PATH"],
      ['x:env:CMPKIT_TEST_UNSET_VARIABLE', 'environment variable CMPKIT_TEST_UNSET_VARIABLE is not set'],
      ['x:pass:', "--secret for reference 'x' is empty"],
      ['x:plain', '--secret must be pass:TEXT, env:VAR or file:PATH'],
    ] as const) {
      const refused = await runCli({ cwd: dir }, 'serve', '--port', '0', '--secret', arg);
      expect(refused.status, arg).toBe(2);
      expect(refused.stderr, arg).toContain(message);
    }
  });

  it('takes the RA mode on the command line (--ra-mode) and reports role ra in the ready line', async () => {
    const dir = tempDir();
    expect((await runCli({ cwd: dir }, 'init', '--data-dir', 'ca')).status).toBe(0);
    expect((await runCli({ cwd: dir }, 'init', '--role', 'ra', '--ca-data-dir', 'ca', '--data-dir', 'ra')).status).toBe(0);
    const bad = await runCli({ cwd: dir }, 'serve', '--role', 'ra', '--upstream', 'http://127.0.0.1:1/', '--ra-mode', 'sideways');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--ra-mode must be forward, nested, reprotect, raVerified, not 'sideways'");

    const ra = await serve(
      dir,
      '--role',
      'ra',
      '--upstream',
      'http://127.0.0.1:1/.well-known/cmp',
      '--ra-mode',
      'forward',
      '--data-dir',
      'ra',
    );
    expect(jsonLines(ra.stdout())).toEqual([
      expect.objectContaining({ event: 'ready', role: 'ra', listeners: expect.objectContaining({ http: ra.address.url }) }),
    ]);
    await waitUntil(() => /RA listening .*mode=forward/.test(ra.stderr()));
    const readiness = await fetch(`${new URL(ra.address.url).origin}/ready`);
    expect(await readiness.json()).toEqual({ status: 'ready', checks: { database: 'ok', raCredentials: 'ok' } });
  });
});
