// libcoap's client (coap-client-notls, Debian libcoap3-bin) carrying requests that `openssl cmp`
// wrote to cmpkit-server over CoAP (RFC 9482): the request is made with -reqout (no server
// reached), POSTed by libcoap over UDP with block sizes 64 and 1024 and over TCP, and the answer is
// read back by `openssl cmp -reqin ... -rspin ...`, which checks it as if it had come from a
// server. Done for ir with implicitConfirm, p10cr (with certConf and pkiConf) and genm. Skipped
// with a printed reason when a binary is missing; .ci/run installs both.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coapClientBinary, runCoapClient } from '../../../../packages/transport-coap/test/support/libcoap.js';
import { startServer, type RunningServer } from '../e2e/e2e-harness.js';
import { openssl, opensslVersion } from './openssl-harness.js';

const coapClient = coapClientBinary();
const version = opensslVersion();
const missing = [coapClient ? undefined : 'coap-client-notls (libcoap3-bin)', version ? undefined : 'openssl'].filter(Boolean);
if (missing.length > 0) console.warn(`libcoap/openssl interop skipped: ${missing.join(' and ')} not found on the PATH`);

const SECRET = ['-ref', 'demo', '-secret', 'pass:demo-secret-change-me'];

describe.skipIf(missing.length > 0)('openssl cmp requests carried by libcoap to cmpkit-server over CoAP', () => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-libcoap-'));
    server = await startServer(dir);
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'device.key')]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const carriers = [
    ['UDP, blocks of 64', () => ['-b', '64', server.coapUrl]],
    ['UDP, blocks of 1024', () => ['-b', '1024', server.coapUrl]],
    ['TCP', () => [server.coapTcpUrl]],
  ] as const;

  /** `openssl cmp` that talks to no server: requests from/to files, responses from files. */
  const cmp = (...args: string[]) =>
    openssl(dir, 'cmp', '-server', '127.0.0.1:9', '-path', '.well-known/cmp', '-msg_timeout', '1', '-total_timeout', '2', ...args);

  /** POSTs a request file with libcoap and writes the answer file. */
  async function carry(request: string, answer: string, target: readonly string[]): Promise<void> {
    const uri = target[target.length - 1]!;
    const result = await runCoapClient(coapClient!, [
      '-m',
      'post',
      '-t',
      '259',
      ...target.slice(0, -1),
      '-f',
      join(dir, request),
      '-o',
      join(dir, answer),
      uri,
    ]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(existsSync(join(dir, answer))).toBe(true);
  }

  it.each(carriers)(
    'ir with implicitConfirm over %s',
    async (name, target) => {
      const tag = name.replace(/\W+/g, '-');
      const cn = `/CN=libcoap-ir-${tag}`;
      const common = [
        '-cmd',
        'ir',
        ...SECRET,
        '-newkey',
        join(dir, 'device.key'),
        '-subject',
        cn,
        '-implicit_confirm',
        '-trusted',
        server.root,
      ];
      // 1. openssl writes the ir (its send fails: there is no server at 127.0.0.1:9).
      await cmp(...common, '-reqout', `ir-${tag}.der`, '-certout', `ir-${tag}.pem`);
      expect(existsSync(join(dir, `ir-${tag}.der`))).toBe(true);
      // 2. libcoap carries it; 3. openssl takes the ip as the answer to that same ir.
      await carry(`ir-${tag}.der`, `ip-${tag}.der`, target());
      const done = await cmp(...common, '-reqin', `ir-${tag}.der`, '-rspin', `ip-${tag}.der`, '-certout', `ir-${tag}.pem`);
      expect(done.ok, done.output).toBe(true);
      expect(execFileSync('openssl', ['x509', '-in', join(dir, `ir-${tag}.pem`), '-noout', '-subject'], { encoding: 'utf8' })).toContain(
        `CN = libcoap-ir-${tag}`,
      );
    },
    60_000,
  );

  it.each(carriers)(
    'p10cr with certConf and pkiConf over %s',
    async (name, target) => {
      const tag = name.replace(/\W+/g, '-');
      const csr = join(dir, `p10-${tag}.csr`);
      execFileSync('openssl', ['req', '-new', '-key', join(dir, 'device.key'), '-subj', `/CN=libcoap-p10-${tag}`, '-out', csr]);
      const common = ['-cmd', 'p10cr', ...SECRET, '-csr', csr, '-trusted', server.root];
      await cmp(...common, '-reqout', `p10cr-${tag}.der`, '-certout', `p10-${tag}.pem`);
      await carry(`p10cr-${tag}.der`, `cp-${tag}.der`, target());
      // openssl accepts the cp and writes its certConf (the pkiConf it then waits for is not there yet).
      await cmp(
        ...common,
        '-reqin',
        `p10cr-${tag}.der`,
        '-rspin',
        `cp-${tag}.der`,
        '-reqout',
        `p10cr-again-${tag}.der,certConf-${tag}.der`,
      );
      expect(existsSync(join(dir, `certConf-${tag}.der`))).toBe(true);
      await carry(`certConf-${tag}.der`, `pkiConf-${tag}.der`, target());
      const done = await cmp(
        ...common,
        '-reqin',
        `p10cr-${tag}.der,certConf-${tag}.der`,
        '-rspin',
        `cp-${tag}.der,pkiConf-${tag}.der`,
        '-certout',
        `p10-${tag}.pem`,
      );
      expect(done.ok, done.output).toBe(true);
      expect(execFileSync('openssl', ['x509', '-in', join(dir, `p10-${tag}.pem`), '-noout', '-subject'], { encoding: 'utf8' })).toContain(
        `CN = libcoap-p10-${tag}`,
      );
    },
    60_000,
  );

  it.each(carriers)(
    'genm (caCerts) over %s',
    async (name, target) => {
      const tag = name.replace(/\W+/g, '-');
      const common = ['-cmd', 'genm', ...SECRET, '-infotype', 'caCerts', '-trusted', server.root];
      await cmp(...common, '-reqout', `genm-${tag}.der`);
      await carry(`genm-${tag}.der`, `genp-${tag}.der`, target());
      const done = await cmp(...common, '-reqin', `genm-${tag}.der`, '-rspin', `genp-${tag}.der`);
      expect(done.ok, done.output).toBe(true);
      expect(done.output).toMatch(/genp|caCerts|ITAV/i);
    },
    60_000,
  );
});
