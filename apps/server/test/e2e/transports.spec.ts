import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runClient, startServer, type RunningServer } from './e2e-harness.js';

// The `cmpkit` client against `cmpkit-server serve` over each transport: ir with the shared
// secret, kur signed with the new certificate, rr of the updated certificate.

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe.each([
  ['tcp', (s: RunningServer) => s.tcpUrl],
  ['ws', (s: RunningServer) => s.wsUrl],
  ['coap', (s: RunningServer) => s.coapUrl],
  ['coap+tcp', (s: RunningServer) => s.coapTcpUrl],
  ['coap+ws', (s: RunningServer) => s.coapWsUrl],
  ['http', (s: RunningServer) => s.httpUrl],
])('cmpkit over %s against cmpkit-server', (name, urlOf) => {
  it('enrolls (ir), updates the key (kur) and revokes (rr)', async () => {
    const dir = tempDir();
    server = await startServer(dir);
    const url = urlOf(server);
    expect(url).toMatch(new RegExp(`^${name.replace('+', '\\+')}://127\\.0\\.0\\.1:\\d+`));
    const file = (f: string): string => join(dir, f);
    const cn = `${name.replace('+', '-')}-device`; // '+' joins RDN attributes in the /A=x/B=y form
    const ir = await runClient(
      'ir',
      '--server',
      url,
      '--ref',
      'demo',
      '--secret',
      'pass:demo-secret-change-me',
      '--trusted',
      server.root,
      '--newkey',
      'ec:P-256',
      '--newkeyout',
      file('k1.pem'),
      '--subject',
      `/CN=${cn}`,
      '--certout',
      file('c1.pem'),
    );
    expect(ir.stderr).toBe('');
    expect(ir).toMatchObject({ status: 0 });
    expect(ir.stdout).toContain(`ir: enrolled subject=/CN=${cn}`);

    const kur = await runClient(
      'kur',
      '--server',
      url,
      '--cert',
      file('c1.pem'),
      '--key',
      file('k1.pem'),
      '--trusted',
      server.root,
      '--untrusted',
      join(dir, 'data', 'issuing-ca.pem'),
      '--newkey',
      'ec:P-256',
      '--newkeyout',
      file('k2.pem'),
      '--certout',
      file('c2.pem'),
    );
    expect(kur.stderr).toBe('');
    expect(kur.stdout).toContain(`kur: enrolled subject=/CN=${cn}`);

    const rr = await runClient(
      'rr',
      '--server',
      url,
      '--cert',
      file('c2.pem'),
      '--key',
      file('k2.pem'),
      '--trusted',
      server.root,
      '--untrusted',
      join(dir, 'data', 'issuing-ca.pem'),
      '--oldcert',
      file('c2.pem'),
      '--revreason',
      '1',
    );
    expect(rr.stderr).toBe('');
    expect(rr.stdout).toContain(`rr: revoked subject=/CN=${cn}`);

    expect(await server.stop()).toBe(0);
    const log = server.stderr();
    expect(log).toMatch(/ir -> ip accepted/);
    expect(log).toMatch(/kur -> kup accepted/);
    expect(log).toMatch(/rr -> rp accepted/);
    server = undefined;
  }, 60_000);
});

describe('cmpkit-server serve --ws-port', () => {
  it('serves WebSocket on a port of its own, and no WebSocket on the HTTP port then', async () => {
    const dir = tempDir();
    server = await startServer(dir, '--ws-port', '0');
    const wsPort = Number(new URL(server.wsUrl).port);
    expect(wsPort).not.toBe(Number(new URL(server.httpUrl).port));
    const genm = await runClient(
      'cacerts',
      '--server',
      server.wsUrl,
      '--ref',
      'demo',
      '--secret',
      'pass:demo-secret-change-me',
      '--trusted',
      server.root,
    );
    expect(genm.stderr).toBe('');
    expect(genm.stdout).toContain('cacerts: 2 certificate(s)');
    const onHttpPort = await runClient(
      'cacerts',
      '--server',
      server.httpUrl.replace(/^http/, 'ws'),
      '--ref',
      'demo',
      '--secret',
      'pass:demo-secret-change-me',
      '--trusted',
      server.root,
    );
    expect(onHttpPort.status).toBe(1);
  }, 60_000);
});
