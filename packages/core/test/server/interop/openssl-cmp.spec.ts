// Interop: `openssl cmp` (OpenSSL 3.0's client) against the server engine served over HTTP by
// @cmpkit/transport-http's toNodeListener on 127.0.0.1 (ephemeral port). Skipped, visibly, when
// `openssl` is missing. Only the child processes started here are ever ended, by their handle.
//
// Time: the engine and the CA run on the fake clock; OpenSSL stamps messageTime from the wall
// clock, so the engine's messageTime window is opened wide here, and every OpenSSL certificate
// check runs at the fake time (`-attime`).
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePem, decodePKIMessage, encodePem, nameToString, oids } from '@cmpkit/codec';
import type { CmpServer } from '@cmpkit/core';
import { parseCertificate } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { toNodeListener } from '@cmpkit/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../support/pki.js';
import { createTestIssuer, type TestIssuer } from '../support/test-issuer.js';
import { makeServer, REF, SECRET } from '../support/wire.js';

function opensslUnavailable(): string | undefined {
  const result = spawnSync('openssl', ['cmp', '-help'], { encoding: 'utf8' });
  if (result.error) return `openssl not found (${result.error.message})`;
  if (!`${result.stdout}${result.stderr}`.includes('-implicit_confirm')) return 'openssl has no cmp client (OpenSSL >= 3.0 needed)';
  return undefined;
}
const UNAVAILABLE = opensslUnavailable();
const VERSION = UNAVAILABLE ? '' : spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim();

/** Runs `openssl` without blocking the event loop (the server runs in this process). */
function openssl(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

interface Seen {
  request: string;
  response: string;
  failInfo?: string[];
  protectionAlg?: string;
  responseProtectionAlg?: string;
  generalInfo?: string[];
}

describe.skipIf(UNAVAILABLE !== undefined)(`openssl cmp client against the engine (${UNAVAILABLE ?? VERSION})`, () => {
  const clock = fakeClock();
  const attime = String(Math.floor(clock.now() / 1000));
  let pki: TestPki;
  let issuer: TestIssuer;
  let http: Server;
  let port: number;
  let dir: string;
  const seen: Seen[] = [];
  let grantImplicitConfirm = false;

  beforeAll(async () => {
    pki = await createTestPki(clock.date);
    issuer = createTestIssuer(pki);
    const make = (grant: boolean): CmpServer =>
      makeServer({
        pki,
        issuer,
        policy: { messageTimeWindow: Number.POSITIVE_INFINITY, grantImplicitConfirm: grant },
      });
    const strict = make(false);
    const granting = make(true);
    const handle: CmpServer['handle'] = async (request, context) => {
      const answer = await (grantImplicitConfirm ? granting : strict).handle(request, context);
      const req = decodePKIMessage(request);
      const res = decodePKIMessage(answer);
      seen.push({
        request: req.body.type,
        response: res.body.type,
        ...(res.body.type === 'error' ? { failInfo: res.body.content.pKIStatusInfo.failInfo as string[] } : {}),
        ...(req.header.protectionAlg ? { protectionAlg: req.header.protectionAlg.algorithm } : {}),
        ...(res.header.protectionAlg ? { responseProtectionAlg: res.header.protectionAlg.algorithm } : {}),
        ...(res.header.generalInfo ? { generalInfo: res.header.generalInfo.map((i) => i.type) } : {}),
      });
      return answer;
    };
    http = createHttpServer(toNodeListener(handle));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', () => resolve());
    });
    port = (http.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-server-interop-'));
    writeFileSync(join(dir, 'root.pem'), encodePem('CERTIFICATE', pki.root.certificate));
    writeFileSync(join(dir, 'issuing.pem'), encodePem('CERTIFICATE', pki.ca.certificate));
    for (const name of ['key1', 'key2', 'key3', 'key4', 'key5']) {
      const { code, output } = await openssl(
        ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.pem`],
        dir,
      );
      expect(code, output).toBe(0);
    }
  });

  afterAll(async () => {
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `openssl cmp` with the server address, the recipient and the fake time; its exit status and output. */
  async function cmpRun(args: string[]): Promise<{ code: number; output: string }> {
    seen.length = 0;
    const common = ['-server', `127.0.0.1:${port}`, '-path', '/.well-known/cmp', '-recipient', nameToString(pki.serverName)];
    return openssl(['cmp', ...common, '-attime', attime, '-msg_timeout', '20', ...args], dir);
  }

  /** `cmpRun` that must succeed. */
  async function cmp(args: string[]): Promise<string> {
    const { code, output } = await cmpRun(args);
    expect(code, `openssl cmp ${args.join(' ')}\n${output}\nexchanges: ${JSON.stringify(seen)}`).toBe(0);
    return output;
  }

  const mac = ['-ref', REF, '-secret', `pass:${SECRET}`];

  function certificateOf(file: string): Uint8Array {
    const blocks = decodePem(readFileSync(join(dir, file), 'utf8'));
    expect(blocks[0]?.label).toBe('CERTIFICATE');
    return blocks[0]!.der;
  }

  async function opensslVerifies(file: string): Promise<void> {
    const { code, output } = await openssl(['verify', '-attime', attime, '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', file], dir);
    expect(code, output).toBe(0);
    expect(output).toContain(`${file}: OK`);
  }

  it('ir with PasswordBasedMac (-ref/-secret): answered with PasswordBasedMac, certConf/pkiConf, openssl verify accepts the certificate', async () => {
    await cmp([
      '-cmd',
      'ir',
      ...mac,
      '-newkey',
      'key1.pem',
      '-subject',
      '/O=cmpkit test/CN=openssl-ir',
      '-certout',
      'ir.pem',
      '-cacertsout',
      'capubs.pem',
      '-extracertsout',
      'extra.pem',
    ]);
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['ir>ip', 'certConf>pkiconf']);
    for (const s of seen) {
      expect(s.protectionAlg).toBe(oids.id_PasswordBasedMac);
      expect(s.responseProtectionAlg).toBe(oids.id_PasswordBasedMac);
    }
    const certificate = certificateOf('ir.pem');
    expect(nameToString(parseCertificate(certificate).subject)).toBe('/O=cmpkit test/CN=openssl-ir');
    expect(issuer.entryOf(certificate)?.confirmed).toBe(true);
    expect(certificateOf('capubs.pem')).toEqual(pki.root.certificate);
    expect(certificateOf('extra.pem')).toEqual(pki.ca.certificate);
    await opensslVerifies('ir.pem');
  });

  it('ir with -implicit_confirm granted by the server: no certConf', async () => {
    grantImplicitConfirm = true;
    try {
      await cmp([
        '-cmd',
        'ir',
        ...mac,
        '-implicit_confirm',
        '-newkey',
        'key2.pem',
        '-subject',
        '/O=cmpkit test/CN=openssl-implicit',
        '-certout',
        'implicit.pem',
      ]);
    } finally {
      grantImplicitConfirm = false;
    }
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['ir>ip']);
    expect(seen[0]?.generalInfo).toEqual(['implicitConfirm']);
    expect(issuer.entryOf(certificateOf('implicit.pem'))?.confirmed).toBe(true);
    await opensslVerifies('implicit.pem');
  });

  it('ir with -implicit_confirm not granted (policy default): certConf is still sent', async () => {
    await cmp([
      '-cmd',
      'ir',
      ...mac,
      '-implicit_confirm',
      '-newkey',
      'key2.pem',
      '-subject',
      '/O=cmpkit test/CN=openssl-not-implicit',
      '-certout',
      'not-implicit.pem',
    ]);
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['ir>ip', 'certConf>pkiconf']);
  });

  it('cr signed with the issued certificate (-cert/-key, -trusted root): cp signed by the server', async () => {
    await cmp([
      '-cmd',
      'cr',
      '-cert',
      'ir.pem',
      '-key',
      'key1.pem',
      '-trusted',
      'root.pem',
      // With -untrusted, OpenSSL sends its chain in extraCerts, as RFC 9483 section 3.3 asks.
      '-untrusted',
      'issuing.pem',
      '-newkey',
      'key3.pem',
      '-subject',
      '/O=cmpkit test/CN=openssl-cr',
      '-certout',
      'cr.pem',
    ]);
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['cr>cp', 'certConf>pkiconf']);
    expect(seen.every((s) => s.responseProtectionAlg === oids.ecdsa_with_SHA256)).toBe(true);
    const entry = issuer.entryOf(certificateOf('cr.pem'))!;
    expect(entry.request.requester.kind).toBe('signature');
    expect(entry.confirmed).toBe(true);
    await opensslVerifies('cr.pem');
  });

  it('kur signed with the certificate being updated', async () => {
    await cmp([
      '-cmd',
      'kur',
      '-cert',
      'cr.pem',
      '-key',
      'key3.pem',
      '-trusted',
      'root.pem',
      '-untrusted',
      'issuing.pem',
      '-newkey',
      'key4.pem',
      '-certout',
      'kur.pem',
    ]);
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['kur>kup', 'certConf>pkiconf']);
    const certificate = certificateOf('kur.pem');
    const entry = issuer.entryOf(certificate)!;
    expect(entry.request.oldCertificate).toEqual(certificateOf('cr.pem'));
    expect(parseCertificate(certificate).subject).toEqual(parseCertificate(certificateOf('cr.pem')).subject);
    await opensslVerifies('kur.pem');
  });

  it('a signed request without the chain in extraCerts (no -untrusted): signerNotTrusted (RFC 9483 section 3.3)', async () => {
    const { code } = await cmpRun(['-cmd', 'genm', '-cert', 'kur.pem', '-key', 'key4.pem', '-trusted', 'root.pem']);
    expect(code).not.toBe(0);
    expect(seen).toEqual([expect.objectContaining({ request: 'genm', response: 'error', failInfo: ['signerNotTrusted'] })]);
  });

  it('p10cr with a CSR from openssl req', async () => {
    const req = await openssl(['req', '-new', '-key', 'key5.pem', '-subj', '/O=cmpkit test/CN=openssl-p10', '-out', 'p10.csr'], dir);
    expect(req.code, req.output).toBe(0);
    await cmp(['-cmd', 'p10cr', ...mac, '-csr', 'p10.csr', '-certout', 'p10.pem']);
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['p10cr>cp', 'certConf>pkiconf']);
    const entry = issuer.entryOf(certificateOf('p10.pem'))!;
    expect(entry.request.bodyType).toBe('p10cr');
    await opensslVerifies('p10.pem');
  });

  it('rr by the holder, then the same rr again is refused with certRevoked', async () => {
    const rr = [
      '-cmd',
      'rr',
      '-cert',
      'kur.pem',
      '-key',
      'key4.pem',
      '-trusted',
      'root.pem',
      '-untrusted',
      'issuing.pem',
      '-oldcert',
      'kur.pem',
    ];
    await cmp([...rr, '-revreason', '1']);
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['rr>rp']);
    expect(issuer.entryOf(certificateOf('kur.pem'))?.revoked).toEqual({ by: 'rr', reason: 1 });
    const again = await cmpRun(rr);
    expect(again.code).not.toBe(0);
    expect(again.output).toMatch(/certRevoked/i);
  });

  it('genm without infotype: genp with the CA certificates', async () => {
    const output = await cmp(['-cmd', 'genm', ...mac]);
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['genm>genp']);
    expect(output).toMatch(/genp/i);
  });

  it('genm with an infotype the server does not serve (signKeyPairTypes): genp without it, no error', async () => {
    await cmp(['-cmd', 'genm', ...mac, '-infotype', 'signKeyPairTypes']);
    expect(seen.map((s) => `${s.request}>${s.response}`)).toEqual(['genm>genp']);
  });

  it('a wrong secret: refused with badMessageCheck; OpenSSL (holding another secret) cannot verify that answer', async () => {
    const { code, output } = await cmpRun(['-cmd', 'genm', '-ref', REF, '-secret', 'pass:wrong']);
    expect(code).not.toBe(0);
    expect(seen).toEqual([
      expect.objectContaining({
        request: 'genm',
        response: 'error',
        failInfo: ['badMessageCheck'],
        responseProtectionAlg: oids.id_PasswordBasedMac,
      }),
    ]);
    expect(output).toMatch(/error validating protection|received ERROR/);
  });
});
