// End-to-end: OpenSSL 3.0's CMP client (`openssl cmp`) as the device, against cmpkit-server
// --role ra in front of cmpkit-server --role ca, both started in-process on 127.0.0.1 with ports
// of the system's choosing, on the real clock (openssl stamps messageTime with it).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePem } from '@cmpkit/codec';
import { loadConfig } from '../../src/config/load-config.js';
import { lineLogger } from '../../src/log/logger.js';
import { main } from '../../src/main.js';
import { openServerContext } from '../../src/server/server-context.js';
import { serialOf } from '../helpers.js';
import { runCli } from '../run-cli.js';
import { opensslVersion, openssl as runOpenssl, type Outcome } from './openssl-harness.js';

const version = opensslVersion();
const title = version
  ? `openssl cmp (${version}) -> cmpkit-server --role ra -> cmpkit-server --role ca`
  : 'openssl cmp -> RA -> CA — SKIPPED: no openssl binary on PATH';

interface Running {
  address: string;
  url: string;
  stop: AbortController;
  done: Promise<number>;
  log: () => string;
}

async function serve(cwd: string, args: string[]): Promise<Running> {
  const stop = new AbortController();
  let log = '';
  let listening: (a: { port: number; url: string }) => void = () => {};
  const bound = new Promise<{ port: number; url: string }>((resolve) => (listening = resolve));
  const done = main(['serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    cwd,
    signal: stop.signal,
    stdout: () => {},
    stderr: (t) => (log += t),
    onListening: (a) => listening(a),
  });
  const address = await Promise.race([bound, done.then((status) => Promise.reject(new Error(`server exited with ${status}: ${log}`)))]);
  return { address: `127.0.0.1:${address.port}`, url: address.url, stop, done, log: () => log };
}

describe.skipIf(!version)(title, () => {
  let dir: string;
  let ca: Running;
  const ras = new Map<string, Running>();
  const openssl = (...args: string[]): Promise<Outcome> => runOpenssl(dir, ...args);
  const mac = ['-ref', 'demo', '-secret', 'pass:demo-secret-change-me'];
  const caData = () => join(dir, 'ca');
  const trust = () => ['-trusted', join(caData(), 'root-ca.pem'), '-untrusted', join(caData(), 'issuing-ca.pem')];

  async function newKey(name: string): Promise<string> {
    const out = await openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name);
    expect(out.ok, out.output).toBe(true);
    return name;
  }

  async function verify(cert: string): Promise<Outcome> {
    return openssl('verify', '-CAfile', join(caData(), 'root-ca.pem'), '-untrusted', join(caData(), 'issuing-ca.pem'), cert);
  }

  /** The CA's record of a certificate file. */
  async function stored(file: string) {
    const serial = serialOf(decodePem(readFileSync(join(dir, file), 'utf8'))[0]!.der);
    const config = await loadConfig({ cwd: dir, dataDir: 'ca' });
    const ctx = await openServerContext(config, {
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
      return ctx.store.certificates.get(serial);
    } finally {
      await ctx.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-ra-interop-'));
    writeFileSync(join(dir, 'ca.json'), JSON.stringify({ policy: { acceptRAVerified: true, grantImplicitConfirm: false } }));
    ca = await serve(dir, ['--data-dir', 'ca', '--config', 'ca.json']);
    for (const mode of ['forward', 'reprotect', 'nested', 'raVerified']) {
      const init = await runCli({ cwd: dir }, 'init', '--role', 'ra', '--ca-data-dir', 'ca', '--data-dir', `ra-${mode}`);
      expect(init.status, init.stderr).toBe(0);
      writeFileSync(join(dir, `ra-${mode}.json`), JSON.stringify({ ra: { mode } }));
      ras.set(mode, await serve(dir, ['--role', 'ra', '--upstream', ca.url, '--data-dir', `ra-${mode}`, '--config', `ra-${mode}.json`]));
    }
  }, 60_000);

  afterAll(async () => {
    for (const ra of ras.values()) {
      ra.stop.abort();
      expect(await ra.done).toBe(0);
    }
    ca.stop.abort();
    expect(await ca.done).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  const endpoint = (mode: string) => ['-server', ras.get(mode)!.address, '-path', '.well-known/cmp'];

  it.each([
    ['forward', 'mac:demo'],
    ['nested', 'mac:demo'],
    ['reprotect', 'signature:/O=cmpkit demo/CN=cmpkit RA'],
    ['raVerified', 'signature:/O=cmpkit demo/CN=cmpkit RA'],
  ])('ir with a shared secret through the RA (%s): certificate issued, confirmed at the CA', async (mode, requester) => {
    const key = await newKey(`ir-${mode}.key.pem`);
    const out = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint(mode),
      ...mac,
      '-newkey',
      key,
      '-subject',
      `/CN=ra-${mode}`,
      '-certout',
      `ir-${mode}.pem`,
    );
    expect(out.ok, `${out.output}\nRA log:\n${ras.get(mode)!.log()}\nCA log:\n${ca.log()}`).toBe(true);
    expect(out.output).toContain('received PKICONF');
    expect((await verify(`ir-${mode}.pem`)).output.trim()).toBe(`ir-${mode}.pem: OK`);
    const record = await stored(`ir-${mode}.pem`);
    expect(record).toMatchObject({ status: 'confirmed', subject: `/CN=ra-${mode}` });
    expect(record?.requester).toBe(requester);
  });

  it.each(['forward', 'reprotect'])('kur and rr signed by the device through the RA (%s)', async (mode) => {
    const oldKey = await newKey(`kur-${mode}-old.key.pem`);
    const first = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint(mode),
      ...mac,
      '-newkey',
      oldKey,
      '-subject',
      `/CN=ra-kur-${mode}`,
      '-certout',
      `kur-${mode}-old.pem`,
    );
    expect(first.ok, first.output).toBe(true);
    const nextKey = await newKey(`kur-${mode}-new.key.pem`);
    const kur = await openssl(
      'cmp',
      '-cmd',
      'kur',
      ...endpoint(mode),
      ...trust(),
      '-cert',
      `kur-${mode}-old.pem`,
      '-key',
      oldKey,
      '-newkey',
      nextKey,
      '-certout',
      `kur-${mode}-new.pem`,
    );
    expect(kur.ok, `${kur.output}\nRA log:\n${ras.get(mode)!.log()}`).toBe(true);
    expect((await stored(`kur-${mode}-new.pem`))?.subject).toBe(`/CN=ra-kur-${mode}`);
    const rr = await openssl(
      'cmp',
      '-cmd',
      'rr',
      ...endpoint(mode),
      ...trust(),
      '-cert',
      `kur-${mode}-new.pem`,
      '-key',
      nextKey,
      '-oldcert',
      `kur-${mode}-new.pem`,
      '-revreason',
      '1',
    );
    expect(rr.ok, `${rr.output}\nRA log:\n${ras.get(mode)!.log()}`).toBe(true);
    expect(rr.output).toContain('revocation accepted');
    expect(await stored(`kur-${mode}-new.pem`)).toMatchObject({ status: 'revoked', revocationReason: 1 });
  });

  it.each(['forward', 'reprotect'])('genm caCerts through the RA (%s)', async (mode) => {
    const out = await openssl('cmp', '-cmd', 'genm', ...endpoint(mode), ...mac, '-infotype', 'caCerts', ...trust());
    expect(out.ok, out.output).toBe(true);
    expect(out.output).toContain('received GENP');
  });
});
