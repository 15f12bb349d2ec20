// End-to-end: OpenSSL 3.0's CMP client (`openssl cmp`) against cmpkit-server started in-process
// on 127.0.0.1 with a port of the system's choosing. The server runs on the real clock here,
// because openssl stamps messageTime and checks validity with it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePem } from '@cmpkit/codec';
import { waitUntil } from '@cmpkit/test-utils';
import { loadConfig } from '../../src/config/load-config.js';
import { main } from '../../src/main.js';
import { lineLogger } from '../../src/log/logger.js';
import { openServerContext, type ServerContext } from '../../src/server/server-context.js';
import { runCli } from '../run-cli.js';
import { serialOf } from '../helpers.js';
import { opensslVersion, openssl as runOpenssl, type Outcome } from './openssl-harness.js';

const version = opensslVersion();
const title = version
  ? `openssl cmp (${version}) against cmpkit-server`
  : 'openssl cmp against cmpkit-server — SKIPPED: no openssl binary on PATH';

describe.skipIf(!version)(title, () => {
  let dir: string;
  let data: string;
  let server: string;
  let stop: AbortController;
  let running: Promise<number>;
  let serverLog = '';

  const openssl = (...args: string[]): Promise<Outcome> => runOpenssl(dir, ...args);

  const mac = ['-ref', 'demo', '-secret', 'pass:demo-secret-change-me'];
  const trust = () => ['-trusted', join(data, 'root-ca.pem'), '-untrusted', join(data, 'issuing-ca.pem')];
  const endpoint = (path = '.well-known/cmp') => ['-server', server, '-path', path];

  async function newKey(name: string): Promise<string> {
    const out = await openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name);
    expect(out.ok, out.output).toBe(true);
    return name;
  }

  async function verify(cert: string): Promise<Outcome> {
    return openssl('verify', '-CAfile', join(data, 'root-ca.pem'), '-untrusted', join(data, 'issuing-ca.pem'), cert);
  }

  async function withContext<T>(work: (ctx: ServerContext) => Promise<T>): Promise<T> {
    const ctx = await openServerContext(await loadConfig({ cwd: dir }), {
      clock: () => new Date(),
      crypto,
      logger: lineLogger(
        () => {},
        'silent',
        () => new Date(),
      ),
      create: false,
    });
    try {
      return await work(ctx);
    } finally {
      await ctx.close();
    }
  }

  const serialOfFile = (file: string) => serialOf(decodePem(readFileSync(join(dir, file), 'utf8'))[0]!.der);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-interop-')); // lives as long as the server: removed in afterAll
    data = join(dir, '.cmpkit-server');
    stop = new AbortController();
    let listening: (port: number) => void;
    const bound = new Promise<number>((resolve) => (listening = resolve));
    running = main(['start', '--port', '0', '--host', '127.0.0.1'], {
      cwd: dir,
      signal: stop.signal,
      stdout: () => {},
      stderr: (t) => (serverLog += t),
      onListening: (a) => listening(a.port),
    });
    server = `127.0.0.1:${await bound}`;
  });

  afterAll(async () => {
    stop.abort();
    expect(await running).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('ir with a shared secret: the certificate verifies against the root, caPubs carries the root', async () => {
    const key = await newKey('ir.key.pem');
    const out = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint(),
      ...mac,
      '-newkey',
      key,
      '-subject',
      '/CN=interop-ir',
      '-certout',
      'ir.pem',
      '-cacertsout',
      'capubs.pem',
    );
    expect(out.ok, out.output).toBe(true);
    expect(out.output).toContain('received PKICONF');
    const verified = await verify('ir.pem');
    expect(verified.output.trim()).toBe('ir.pem: OK');
    expect(decodePem(readFileSync(join(dir, 'capubs.pem'), 'utf8'))[0]!.der).toEqual(
      decodePem(readFileSync(join(data, 'root-ca.pem'), 'utf8'))[0]!.der,
    );
    const stored = await withContext(async (ctx) => ctx.store.certificates.get(serialOfFile('ir.pem')));
    expect(stored).toMatchObject({ status: 'confirmed', subject: '/CN=interop-ir', requester: 'mac:demo', profile: 'device' });
  });

  it('cr with implicitConfirm: granted, no certConf needed', async () => {
    const key = await newKey('cr.key.pem');
    const out = await openssl(
      'cmp',
      '-cmd',
      'cr',
      ...endpoint(),
      ...mac,
      '-newkey',
      key,
      '-subject',
      '/CN=interop-cr',
      '-implicit_confirm',
      '-certout',
      'cr.pem',
    );
    expect(out.ok, out.output).toBe(true);
    expect(out.output).not.toContain('sending CERTCONF');
    expect((await verify('cr.pem')).ok).toBe(true);
    expect(await withContext(async (ctx) => (await ctx.store.certificates.get(serialOfFile('cr.pem')))?.status)).toBe('confirmed');
  });

  it('p10cr with a PKCS#10 request', async () => {
    const key = await newKey('p10.key.pem');
    const csr = await openssl('req', '-new', '-key', key, '-subj', '/CN=interop-p10', '-out', 'p10.csr');
    expect(csr.ok, csr.output).toBe(true);
    const out = await openssl('cmp', '-cmd', 'p10cr', ...endpoint(), ...mac, '-csr', 'p10.csr', '-certout', 'p10.pem');
    expect(out.ok, out.output).toBe(true);
    expect((await verify('p10.pem')).ok).toBe(true);
  });

  it('kur signed with the certificate from ir, then rr signed with the new one; the CRL lists it', async () => {
    const oldKey = await newKey('kur-old.key.pem');
    const first = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint(),
      ...mac,
      '-newkey',
      oldKey,
      '-subject',
      '/CN=interop-kur',
      '-certout',
      'kur-old.pem',
    );
    expect(first.ok, first.output).toBe(true);
    const newKeyFile = await newKey('kur-new.key.pem');
    const kur = await openssl(
      'cmp',
      '-cmd',
      'kur',
      ...endpoint(),
      ...trust(),
      '-cert',
      'kur-old.pem',
      '-key',
      oldKey,
      '-newkey',
      newKeyFile,
      '-certout',
      'kur-new.pem',
    );
    expect(kur.ok, kur.output).toBe(true);
    expect((await verify('kur-new.pem')).ok).toBe(true);
    expect(await withContext(async (ctx) => (await ctx.store.certificates.get(serialOfFile('kur-new.pem')))?.subject)).toBe(
      '/CN=interop-kur',
    );

    const rr = await openssl(
      'cmp',
      '-cmd',
      'rr',
      ...endpoint(),
      ...trust(),
      '-cert',
      'kur-new.pem',
      '-key',
      newKeyFile,
      '-oldcert',
      'kur-new.pem',
      '-revreason',
      '1',
    );
    expect(rr.ok, rr.output).toBe(true);
    expect(rr.output).toContain('revocation accepted');
    const serial = serialOfFile('kur-new.pem');
    expect(await withContext(async (ctx) => ctx.store.certificates.get(serial))).toMatchObject({ status: 'revoked', revocationReason: 1 });

    const crl = await runCli({ cwd: dir }, 'crl', '--out', 'ca-crl.pem');
    expect(crl.status).toBe(0);
    writeFileSync(
      join(dir, 'chain.pem'),
      readFileSync(join(data, 'issuing-ca.pem'), 'utf8') + readFileSync(join(data, 'root-ca.pem'), 'utf8'),
    );
    const checked = await openssl('verify', '-crl_check', '-CAfile', 'chain.pem', '-CRLfile', 'ca-crl.pem', 'kur-new.pem');
    expect(checked.ok).toBe(false);
    expect(checked.output).toContain('certificate revoked');

    const again = await openssl(
      'cmp',
      '-cmd',
      'rr',
      ...endpoint(),
      ...trust(),
      '-cert',
      'kur-old.pem',
      '-key',
      oldKey,
      '-oldcert',
      'kur-new.pem',
    );
    expect(again.ok).toBe(false);
  });

  it('genm caCerts', async () => {
    const out = await openssl('cmp', '-cmd', 'genm', ...endpoint(), ...mac, '-infotype', 'caCerts');
    expect(out.ok, out.output).toBe(true);
    expect(out.output).toContain('genp contains ITAV of type: id-it-caCerts');
  });

  it('the delayed profile (/p/delayed) answers waiting, then issues after polling', async () => {
    const key = await newKey('delayed.key.pem');
    const out = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint('.well-known/cmp/p/delayed'),
      ...mac,
      '-newkey',
      key,
      '-subject',
      '/CN=interop-delayed',
      '-certout',
      'delayed.pem',
    );
    expect(out.ok, out.output).toBe(true);
    expect(out.output).toContain('received ip/cp/kup after polling');
    expect(await withContext(async (ctx) => (await ctx.store.certificates.get(serialOfFile('delayed.pem')))?.profile)).toBe('delayed');
  });

  it('the approval profile waits until `pending approve`', async () => {
    const key = await newKey('approval.key.pem');
    const client = openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint('.well-known/cmp/p/approval'),
      ...mac,
      '-newkey',
      key,
      '-subject',
      '/CN=interop-approval',
      '-certout',
      'approval.pem',
      '-total_timeout',
      '50',
    );
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      const list = await runCli({ cwd: dir }, 'pending', 'list');
      id = /^(\d+)\t.*\/CN=interop-approval/m.exec(list.stdout)?.[1];
      if (!id) await new Promise((r) => setTimeout(r, 200));
    }
    expect(id).toBeDefined();
    expect((await runCli({ cwd: dir }, 'pending', 'approve', id!)).status).toBe(0);
    const out = await client;
    expect(out.ok, out.output).toBe(true);
    expect((await verify('approval.pem')).ok).toBe(true);
  });

  it('a wrong secret is refused, and an unknown reference exactly alike (no probing for references)', async () => {
    const key = await newKey('probe.key.pem');
    const attempt = async (ref: string) => {
      const before = serverLog.length;
      const out = await openssl(
        'cmp',
        '-cmd',
        'ir',
        ...endpoint(),
        '-ref',
        ref,
        '-secret',
        'pass:a guess',
        '-newkey',
        key,
        '-subject',
        '/CN=probe',
        '-certout',
        'probe.pem',
      );
      expect(out.ok).toBe(false);
      // The server writes its log once per event-loop turn: wait for the line.
      const line = await waitUntil(() => /ir -> (error [^\n]*?) transactionID=/.exec(serverLog.slice(before))?.[1], {
        what: 'the request log line',
      });
      return { client: out.output.split('\n').filter((l) => /CMP (error|warning)/.test(l) && !/missing -recipient/.test(l)), line };
    };
    const known = await attempt('demo');
    const unknown = await attempt('no-such-reference');
    expect(known.line).toBe('error rejection badMessageCheck (protection: PasswordBasedMac protection does not verify)');
    expect(unknown.line).toBe(known.line);
    // The client cannot verify either answer (both are MAC-protected with a secret it does not have).
    expect(unknown.client).toEqual(known.client);
    expect(known.client.join('\n')).toMatch(/error validating protection/);
  });
});
