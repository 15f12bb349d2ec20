import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePKIMessage } from '@cmpkit/codec';
import { main } from '../../src/main.js';
import { runCli } from '../run-cli.js';
import { tempDir } from '../helpers.js';

describe('cmpkit-server start', () => {
  it('creates the CA, serves CMP on the configured path, logs each exchange, and stops when aborted', async () => {
    const dir = tempDir();
    const stop = new AbortController();
    let stdout = '';
    let stderr = '';
    let listening: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const running = main(['start', '--port', '0', '--host', '127.0.0.1'], {
      cwd: dir,
      signal: stop.signal,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      onListening: (address) => listening(address.url),
    });
    const endpoint = await url;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp$/);
    expect(stdout).toContain("reference 'demo', secret 'demo-secret-change-me'");

    const answer = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/pkixcmp' },
      body: Uint8Array.of(0x30, 0x00),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/pkixcmp');
    const message = decodePKIMessage(new Uint8Array(await answer.arrayBuffer()));
    expect(message.body.type).toBe('error');
    expect((await fetch(endpoint)).status).toBe(405);
    expect((await fetch(endpoint.replace('/.well-known/cmp', '/other'), { method: 'POST' })).status).toBe(404);

    stop.abort();
    expect(await running).toBe(0);
    expect(stderr).toMatch(/info {2}listening url=http:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp/);
    expect(stderr).toMatch(/warn {2}undecodable -> error rejection badDataFormat .* peer=127\.0\.0\.1:\d+/);
    expect(stderr).toContain('info  shutting down');
    expect(stderr).toContain('info  stopped');

    // The database was closed cleanly: the CLI opens it, and a second start creates nothing new.
    expect((await runCli({ cwd: dir }, 'secret', 'list')).stdout).toContain('demo');
  });

  it("serves (command 'serve') on / too, OpenSSL's default path, and prints the commands that enroll against it", async () => {
    const dir = tempDir();
    const stop = new AbortController();
    let stdout = '';
    let listening: (address: { port: number; url: string }) => void;
    const bound = new Promise<{ port: number; url: string }>((resolve) => (listening = resolve));
    const running = main(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', 'data'], {
      cwd: dir,
      signal: stop.signal,
      stdout: (t) => (stdout += t),
      stderr: () => {},
      onListening: (address) => listening(address),
    });
    const { port, url } = await bound;
    const root = `http://127.0.0.1:${port}`;
    for (const path of ['/', '/p/device', '']) {
      const answer = await fetch(`${root}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/pkixcmp' },
        body: Uint8Array.of(0x30, 0x00),
      });
      expect(answer.status, path).toBe(200);
      expect(decodePKIMessage(new Uint8Array(await answer.arrayBuffer())).body.type).toBe('error');
    }
    expect((await fetch(`${root}/`)).status).toBe(405);
    expect((await fetch(`${root}/.well-known/cmpx`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${root}/.well-known/cmp/extra/x`, { method: 'POST' })).status).toBe(404);

    const data = join(dir, 'data');
    expect(stdout).toContain(
      `  cmpkit ir --server ${url} --ref demo --secret pass:demo-secret-change-me --trusted ${join(data, 'root-ca.pem')} --newkey ec:P-256`,
    );
    expect(stdout).toContain(
      `  openssl cmp -cmd ir -server 127.0.0.1:${port} -path .well-known/cmp -ref demo -secret pass:demo-secret-change-me -newkey device.key`,
    );
    expect(stdout).toContain(`  openssl verify -CAfile ${join(data, 'root-ca.pem')} -untrusted ${join(data, 'issuing-ca.pem')} device.pem`);
    stop.abort();
    expect(await running).toBe(0);

    // A second start creates nothing, so it prints no enrollment commands.
    let again = '';
    const stop2 = new AbortController();
    const second = main(['start', '--port', '0', '--data-dir', 'data'], {
      cwd: dir,
      signal: stop2.signal,
      stdout: (t) => (again += t),
      stderr: () => {},
      onListening: () => stop2.abort(),
    });
    expect(await second).toBe(0);
    expect(again).not.toContain('cmpkit ir');
  });

  it('fails with status 1 when the port is taken', async () => {
    const dir = tempDir();
    const stop = new AbortController();
    let listening: (port: number) => void;
    const bound = new Promise<number>((resolve) => (listening = resolve));
    const first = main(['start', '--port', '0'], {
      cwd: dir,
      signal: stop.signal,
      stdout: () => {},
      stderr: () => {},
      onListening: (a) => listening(a.port),
    });
    const port = await bound;
    const second = await runCli({ cwd: dir }, 'start', '--port', String(port));
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('EADDRINUSE');
    stop.abort();
    expect(await first).toBe(0);
  });
});
