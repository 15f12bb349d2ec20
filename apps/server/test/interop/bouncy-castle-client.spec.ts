// Interop: a client built on Bouncy Castle's CMP API (bcpkix 1.72, Debian's libbcpkix-java)
// against cmpkit-server. bouncy-castle/BcCmpClient.java is compiled with javac into a temporary
// folder and run once per transaction; the server runs in-process on 127.0.0.1. Skipped, with the
// reason in its title, when java, javac or the Bouncy Castle jars are missing.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl, startServer, type RunningServer } from './openssl-harness.js';

const run = promisify(execFile);
const JARS = ['bcprov', 'bcpkix', 'bcutil'].map((name) => `/usr/share/java/${name}.jar`);
const SOURCE = fileURLToPath(new URL('./bouncy-castle/BcCmpClient.java', import.meta.url));

function unavailable(): string | undefined {
  for (const tool of ['java', 'javac']) {
    try {
      execFileSync(tool, ['-version'], { stdio: 'ignore' });
    } catch {
      return `${tool} not found`;
    }
  }
  const missing = JARS.find((jar) => !existsSync(jar));
  return missing ? `${missing} not found (apt-get install libbcpkix-java)` : undefined;
}

const SKIP = unavailable();
const title = SKIP
  ? `Bouncy Castle CMP client against cmpkit-server — SKIPPED: ${SKIP}`
  : 'Bouncy Castle (bcpkix 1.72) CMP client against cmpkit-server';

// Each run starts a JVM (seconds on a loaded machine): a generous bound per test.
describe.skipIf(SKIP !== undefined)(title, { timeout: 120_000 }, () => {
  let srv: RunningServer;
  let classes: string;
  const url = () => `http://${srv.address}/.well-known/cmp`;
  const chain = () => join(srv.data, 'issuing-ca.pem');

  /** Runs one BcCmpClient command in the server's folder: its exit status and its one line. */
  async function bc(...args: string[]): Promise<{ status: number; line: string }> {
    try {
      const { stdout } = await run('java', ['-cp', [classes, ...JARS].join(':'), 'BcCmpClient', ...args], {
        cwd: srv.dir,
        timeout: 60_000,
      });
      return { status: 0, line: stdout.trim() };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { status: e.code ?? -1, line: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() };
    }
  }

  beforeAll(async () => {
    classes = mkdtempSync(join(tmpdir(), 'cmpkit-bc-'));
    await run('javac', ['-d', classes, '-cp', JARS.join(':'), SOURCE], { timeout: 120_000 });
    srv = await startServer();
  }, 180_000);

  afterAll(async () => {
    if (srv) expect(await srv.stop()).toBe(0);
    if (classes) rmSync(classes, { recursive: true, force: true });
  });

  it('ir with PasswordBasedMac, certConf, pkiconf: the certificate verifies with openssl', async () => {
    const ir = await bc('ir', url(), 'demo', 'demo-secret-change-me', 'CN=bc-device', 'bc.pem', 'bc.key');
    expect(ir, `${ir.line}\n${srv.log()}`).toEqual({ status: 0, line: 'ok ir CN=bc-device' });
    const verified = await openssl(srv.dir, 'verify', '-CAfile', join(srv.data, 'root-ca.pem'), '-untrusted', chain(), 'bc.pem');
    expect(verified.ok, verified.output).toBe(true);
  });

  it('cr signed with that certificate (senderKID, chain in extraCerts), certConf signed too', async () => {
    const cr = await bc('cr', url(), 'bc.pem', 'bc.key', chain(), 'CN=bc-device-2', 'bc2.pem', 'bc2.key');
    expect(cr, `${cr.line}\n${srv.log()}`).toEqual({ status: 0, line: 'ok cr CN=bc-device-2' });
  });

  it('cr signed without senderKID: refused with badMessageCheck (RFC 9483 section 3.1)', async () => {
    const cr = await bc('cr', url(), 'bc.pem', 'bc.key', chain(), 'CN=bc-device-3', 'bc3.pem', 'bc3.key', 'nokid');
    expect(cr.status, cr.line).toBe(1);
    expect(cr.line).toMatch(/^refused error 2 badMessageCheck : /);
  });

  it('rr signed by the holder: rp accepted; the same again: rp certRevoked', async () => {
    const rr = await bc('rr', url(), 'bc2.pem', 'bc2.key', chain(), '1');
    expect(rr.status, `${rr.line}\n${srv.log()}`).toBe(0);
    expect(rr.line).toMatch(/^ok rr [0-9a-f]+$/);
    const again = await bc('rr', url(), 'bc2.pem', 'bc2.key', chain(), '1');
    expect(again.status).toBe(1);
    expect(again.line).toMatch(/^refused rp 2 certRevoked : /);
  });
});
