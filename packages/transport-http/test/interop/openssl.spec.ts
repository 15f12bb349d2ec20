// Interoperability with OpenSSL 3.0's `openssl cmp` at the HTTP level (loopback only): its client
// posting to toNodeListener, and httpTransport posting to its mock server. Skipped, visibly, when
// `openssl` is not on the PATH.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestContext } from '@cmpkit/core';
import { describe, expect, it } from 'vitest';
import { httpTransport, toNodeListener } from '../../src/index.js';
import { expectHttpTransportError, rejection } from '../support/expect-transport-error.js';
import { fixture } from '../support/fixtures.js';
import { listen } from '../support/listen.js';

const GENM = fixture('der/openssl-3.0/genm.der');
const GENP = fixture('der/openssl-3.0/genp.der');
const SECRET = 'pass:perf-test-secret';

function opensslVersion(): string | undefined {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
const VERSION = opensslVersion();

/** The length of a DER element from its header, or undefined when the header is not DER. */
function derLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2) return undefined;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || bytes.length < 2 + count) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i]!;
  return 2 + count + length;
}

/** Runs `openssl` without blocking the event loop (our server runs in this process). */
function runOpenssl(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe.skipIf(VERSION === undefined)(`openssl cmp interop (${VERSION ?? 'skipped: openssl is not on the PATH'})`, () => {
  it('openssl cmp posts a genm as application/pkixcmp to toNodeListener and reads our 200 answer', async () => {
    const seen: { method: string | undefined; headers: IncomingHttpHeaders }[] = [];
    const requests: { bytes: Uint8Array; context: RequestContext | undefined }[] = [];
    const listener = toNodeListener(async (request, context) => {
      requests.push({ bytes: request.slice(), context });
      return GENP;
    });
    const server = await listen((req, res) => {
      seen.push({ method: req.method, headers: req.headers });
      listener(req, res);
    });
    const dir = mkdtempSync(join(tmpdir(), 'cmpkit-interop-'));
    try {
      const reqout = join(dir, 'genm.der');
      const result = await runOpenssl([
        'cmp',
        '-cmd',
        'genm',
        '-server',
        `127.0.0.1:${server.port}`,
        '-path',
        '/.well-known/cmp/p/interop',
        '-ref',
        '3078',
        '-secret',
        SECRET,
        '-recipient',
        '/CN=cmpkit',
        '-msg_timeout',
        '10',
        '-reqout',
        reqout,
      ]);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.method).toBe('POST');
      expect(seen[0]!.headers['content-type']).toBe('application/pkixcmp');
      expect(requests).toHaveLength(1);
      const { bytes, context } = requests[0]!;
      expect(bytes[0]).toBe(0x30);
      expect(derLength(bytes)).toBe(bytes.byteLength);
      expect(Buffer.from(bytes).equals(readFileSync(reqout))).toBe(true);
      expect(context?.path).toBe('/p/interop');
      expect(context?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      // OpenSSL took our HTTP answer as a genp; it then rejects the fixture's stale transactionID.
      expect(result.output).toContain('received GENP');
      const errors = result.output.split('\n').filter((line) => /error/i.test(line));
      expect(errors.join('\n')).not.toMatch(/http|content.type|connect|timeout|status/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.close();
    }
  });

  it("httpTransport gets a 200 application/pkixcmp DER answer from openssl's mock server", async () => {
    const child = spawn('openssl', ['cmp', '-port', '0', '-srv_ref', '3078', '-srv_secret', SECRET], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        const onData = (chunk: Buffer): void => {
          out += chunk.toString();
          const match = /ACCEPT \S*:(\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`openssl mock server exited (${code}): ${out}`)));
        child.once('error', reject);
      });

      const answer = await httpTransport({ url: `http://127.0.0.1:${port}/pkix/`, timeoutMs: 10_000 }).send(GENM);
      // Resolving means: status 200, Content-Type application/pkixcmp, a non-empty body.
      expect(answer[0]).toBe(0x30);
      expect(derLength(answer)).toBe(answer.byteLength);

      // The mock server serves '/' and '/pkix/' only: anything else is a 404, a TransportError.
      const error = expectHttpTransportError(
        await rejection(httpTransport({ url: `http://127.0.0.1:${port}/.well-known/cmp`, timeoutMs: 10_000 }).send(GENM)),
      );
      expect(error.status).toBe(404);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
