// TLS on every listener: the server's certificate is issued by its own CA on first start; OpenSSL
// checks it (`openssl s_client` on the HTTPS and the TLS-over-TCP port) and enrolls over HTTPS
// (`openssl cmp -tls_used`), also with a client certificate (mutual TLS, logged as tlsClient);
// the cmpkit client enrolls over https://, wss:// and tcps:// with --tls-trusted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, runClient, type RunningServer } from '../e2e/e2e-harness.js';
import { spawn } from 'node:child_process';
import { makeOpensslCa, openssl, opensslVersion } from './openssl-harness.js';

/** `openssl s_client` with its standard input at end of file, so it ends after the handshake. */
function sClient(cwd: string, ...args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

const version = opensslVersion();

describe('TLS on every listener', () => {
  let server: RunningServer;
  let dir: string;
  let port: string;
  let tcpPort: string;
  const secret = ['-ref', 'demo', '-secret', 'pass:demo-secret-change-me'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-tls-'));
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ tls: { clientCertificates: 'optional' } }));
    server = await startServer(dir, '--tls', '--config', 'server.json');
    port = new URL(server.httpUrl).port;
    tcpPort = new URL(server.tcpUrl).port;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves https://, wss:// (on the HTTPS port) and tcps:// URLs', () => {
    expect(server.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp$/);
    expect(server.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp$/);
    expect(server.tcpUrl).toMatch(/^tcps:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stderr()).toMatch(/issued the TLS server certificate file=.*tls-server\.pem/);
  });

  it('the cmpkit client enrolls over https://, wss:// and tcps:// trusting the CA root (--tls-trusted)', async () => {
    for (const [name, url] of [
      ['https', server.httpUrl],
      ['wss', server.wsUrl],
      ['tcps', server.tcpUrl],
    ] as const) {
      const result = await runClient(
        'ir',
        '--server',
        url,
        '--tls-trusted',
        server.root,
        '--trusted',
        server.root,
        '--ref',
        'demo',
        '--secret',
        'pass:demo-secret-change-me',
        '--newkey',
        'ec:P-256',
        '--newkeyout',
        join(dir, `${name}.key`),
        '--subject',
        `/CN=${name}-device`,
        '--certout',
        join(dir, `${name}.pem`),
      );
      expect(result.stderr, name).toBe('');
      expect(result.status, name).toBe(0);
    }
  });

  it('the cmpkit client refuses a server certificate it does not trust (the system roots do not have this CA)', async () => {
    const result = await runClient('genm', '--server', server.httpUrl, '--ref', 'demo', '--secret', 'pass:demo-secret-change-me');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/certificate/i);
  });

  describe.skipIf(!version)(`with OpenSSL${version ? ` (${version})` : ' (skipped: no openssl on the PATH)'}`, () => {
    it('openssl s_client verifies the HTTPS and the TLS-over-TCP certificate against the CA root', async () => {
      for (const p of [port, tcpPort]) {
        const result = await sClient(
          dir,
          '-connect',
          `127.0.0.1:${p}`,
          '-CAfile',
          server.root,
          '-verify_return_error',
          '-verify_ip',
          '127.0.0.1',
          '-brief',
        );
        expect(result.output).toMatch(/Verification: OK/);
        expect(result.output).toMatch(/Verified peername: 127\.0\.0\.1|Peer certificate: CN = localhost/);
      }
    });

    it('openssl s_client refuses it against another root', async () => {
      const ca = await makeOpensslCa(dir, 'other', '/CN=Other');
      expect(ca.ok).toBe(true);
      const result = await sClient(dir, '-connect', `127.0.0.1:${port}`, '-CAfile', 'other.pem', '-verify_return_error', '-brief');
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/verify error|certificate verify failed/i);
    });

    it('openssl cmp -tls_used enrolls over HTTPS, then again with its new certificate as TLS client certificate', async () => {
      await openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'o.key');
      const https = ['-server', `127.0.0.1:${port}`, '-path', '.well-known/cmp', '-tls_used', '-tls_trusted', server.root];
      const ir = await openssl(
        dir,
        'cmp',
        '-cmd',
        'ir',
        ...https,
        ...secret,
        '-newkey',
        'o.key',
        '-subject',
        '/CN=openssl-tls',
        '-certout',
        'o.pem',
      );
      expect(ir.output).not.toMatch(/error/i);
      expect(ir.ok).toBe(true);
      const issuing = join(server.dir, 'data', 'issuing-ca.pem');
      const cr = await openssl(
        dir,
        'cmp',
        '-cmd',
        'cr',
        ...https,
        '-tls_cert',
        'o.pem',
        '-tls_key',
        'o.key',
        '-tls_extra',
        issuing,
        '-trusted',
        server.root,
        '-untrusted',
        issuing,
        '-cert',
        'o.pem',
        '-key',
        'o.key',
        '-certout',
        'o2.pem',
      );
      expect(cr.ok, cr.output).toBe(true);
      expect(
        server
          .stderr()
          .split('\n')
          .find((l) => l.includes('cr -> cp')),
      ).toMatch(/cr -> cp accepted .*tlsClient=\/CN=openssl-tls /);
      const plain = await openssl(dir, 'cmp', '-cmd', 'genm', '-server', `127.0.0.1:${port}`, '-path', '.well-known/cmp', ...secret);
      expect(plain.ok).toBe(false);
    });
  });
});
