import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, createSelfSignedCa, profiles, type CertificateAuthority } from '@cmpkit/ca';
import { decodePKIMessage, encodePem, parseName } from '@cmpkit/codec';
import { createServer, memorySecretStore, type Issuer } from '@cmpkit/core';
import { toNodeListener } from '@cmpkit/transport-http';
import { formatBench, percentile, runBench } from '../../src/commands/bench.js';
import { runCli } from '../run-cli.js';

// `cmpkit bench` against the server engine behind the HTTP adapter on 127.0.0.1.

const dir = mkdtempSync(join(tmpdir(), 'cmpkit-bench-'));
const servers: Server[] = [];
let ca: CertificateAuthority;
let rootCert: Uint8Array;
let url: string;
const confirmed: string[] = [];
const bodies: string[] = [];
let issued = 0;

const issuer = (): Issuer => ({
  async certify(request) {
    if (!request.publicKey) throw new Error('no key');
    const { certificate } = await ca.issue({ template: request.template, profile: profiles.device, publicKey: request.publicKey });
    issued++;
    return { status: 'issued', certificate, caPubs: [rootCert] };
  },
  async confirm(c) {
    confirmed.push(String(c));
  },
  async revoke() {},
});

beforeAll(async () => {
  const root = await createSelfSignedCa({ subject: '/O=cmpkit bench test/CN=Root CA' });
  ca = createCertificateAuthority(root);
  rootCert = root.certificate;
  writeFileSync(join(dir, 'root.pem'), encodePem('CERTIFICATE', rootCert));
  const engine = createServer({
    name: parseName('/O=cmpkit bench test/CN=CMP'),
    protection: { secrets: memorySecretStore({ bench: 'bench-secret' }), trustAnchors: [rootCert] },
    issuer: issuer(),
    policy: { grantImplicitConfirm: true },
  });
  const http = createHttpServer(
    toNodeListener(async (request, context) => {
      bodies.push(decodePKIMessage(request).body.type);
      return engine.handle(request, context);
    }),
  );
  servers.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  url = `http://127.0.0.1:${address.port}/.well-known/cmp`;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

/** `cmpkit bench` against the test server with its shared secret, plus `extra`. */
const macBench = (...extra: string[]) => runCli('bench', '--server', url, '--ref', 'bench', '--secret', 'pass:bench-secret', ...extra);

describe('cmpkit bench', () => {
  it('runs --count full MAC enrollments with certConf at --concurrency and reports tx/s and latency percentiles', async () => {
    const before = { issued, confirmed: confirmed.length };
    bodies.length = 0;
    const r = await macBench('--mac', 'pbm', '--concurrency', '3', '--count', '7');
    expect(r.stderr).toMatch(/^bench: 7 transactions, concurrency 3, 7 ec:P-256 keys generated\n/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^transactions 7 {2}errors 0 {2}concurrency 3 {2}time \d+\.\d\d s {2}tx\/s \d+\.\d\n/);
    expect(r.stdout).toMatch(/\nlatency ms {2}p50 \d+\.\d {2}p90 \d+\.\d {2}p99 \d+\.\d {2}max \d+\.\d\n$/);
    expect(issued - before.issued).toBe(7);
    expect(confirmed.length - before.confirmed).toBe(7);
    expect(bodies.filter((b) => b === 'ir')).toHaveLength(7);
    expect(bodies.filter((b) => b === 'certConf')).toHaveLength(7); // no implicit confirmation asked
  }, 60_000); // 7 keys and 28 PasswordBasedMac derivations: ~6 s on a loaded 2-core machine

  it('--implicit-confirm skips certConf (the server grants it)', async () => {
    const before = { issued, confirmed: confirmed.length };
    bodies.length = 0;
    const r = await macBench('--count', '4', '--implicit-confirm', '--trusted', join(dir, 'root.pem'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^transactions 4 {2}errors 0 /);
    expect(issued - before.issued).toBe(4);
    expect(bodies).toEqual(['ir', 'ir', 'ir', 'ir']);
  }, 30_000);

  it('exits 1 and names the error when transactions fail', async () => {
    const r = await runCli('bench', '--server', url, '--ref', 'bench', '--secret', 'pass:wrong', '--count', '3', '--concurrency', '2');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^transactions 3 {2}errors 3 /);
    expect(r.stdout).toMatch(/\nerror x3: .+\n$/);
  });

  it('--prebuilt builds every ir (implicitConfirm) before timing, then only sends them', async () => {
    const before = { issued, confirmed: confirmed.length };
    bodies.length = 0;
    const r = await macBench('--mac', 'pbm', '--prebuilt', '--count', '5', '--concurrency', '2');
    expect(r.stderr).toMatch(/^bench: 5 ir requests with implicitConfirm built in \d+\.\d s \(not timed\), concurrency 2\n/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^transactions 5 {2}errors 0 {2}concurrency 2 /);
    expect(r.stdout).not.toContain('not granted');
    expect(issued - before.issued).toBe(5);
    expect(bodies).toEqual(['ir', 'ir', 'ir', 'ir', 'ir']);
    expect(confirmed.length - before.confirmed).toBe(5); // implicit confirmation
  }, 30_000);

  it("--prebuilt counts refused requests as errors, with the server's words", async () => {
    const r = await runCli('bench', '--server', url, '--ref', 'bench', '--secret', 'pass:wrong', '--prebuilt', '--count', '2');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^transactions 2 {2}errors 2 /);
    expect(r.stdout).toMatch(/error x2: error rejection badMessageCheck: .*does not verify/);
  });

  it('refuses bad options with status 2', async () => {
    expect((await macBench('--count', '0')).stderr).toContain("--count '0' is not a positive integer");
    expect((await macBench('--count', '2', '--duration', '1')).status).toBe(2);
    expect((await macBench('--newkey', join(dir, 'root.pem'))).status).toBe(2);
    const noCount = await macBench('--prebuilt', '--duration', '1');
    expect(noCount.status).toBe(2);
    expect(noCount.stderr).toContain('--prebuilt needs --count');
  });
});

describe('runBench', () => {
  it('counts successes and failures on an injected clock and reports progress', async () => {
    let t = 0;
    let calls = 0;
    const result = await runBench({
      workers: 2,
      count: 8,
      now: () => t,
      transaction: async () => {
        t += 10;
        if (++calls % 4 === 0) throw new Error('refused');
      },
    });
    expect(result.transactions).toBe(8);
    expect(result.errors).toBe(2);
    expect(result.errorMessages).toEqual(new Map([['refused', 2]]));
    expect(result.latenciesMs).toHaveLength(6);
    expect(formatBench(result, { concurrency: 2, keys: 1 })).toContain('error x2: refused');
  });

  it('percentile is nearest-rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0.5)).toBe(5);
    expect(percentile(sorted, 0.9)).toBe(9);
    expect(percentile(sorted, 0.99)).toBe(10);
    expect(percentile([], 0.5)).toBe(0);
  });
});
