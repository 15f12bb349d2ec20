// The CA signing key and the CMP protection key in an HSM (SoftHSM2 over PKCS#11): the issuing
// CA's key is generated on the token (`ca csr --generate`), certified by a root made with OpenSSL,
// imported by URI; the server issues, signs responses and signs CRLs with the token keys while
// `openssl cmp -tls_used` enrolls over HTTPS. No CA or CMP private key is ever in the process
// (the token keys are sensitive and never extractable: the token says so, and export fails) or
// on disk (no PEM private key in the data directory but the TLS server's own).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftHsmToken, softHsmUnavailable, type SoftHsmToken } from '@cmpkit/test-utils';
import { loadConfig } from '../../src/config/load-config.js';
import { lineLogger } from '../../src/log/logger.js';
import { openServerContext } from '../../src/server/server-context.js';
import { startServer, type RunningServer } from '../e2e/e2e-harness.js';
import { fakeClock } from '../helpers.js';
import { runCli } from '../run-cli.js';
import { makeOpensslCa, openssl, opensslVersion } from './openssl-harness.js';

const unavailable = softHsmUnavailable() ?? (opensslVersion() ? undefined : 'no openssl on the PATH');
if (unavailable && process.env.CI === 'true') throw new Error(`the SoftHSM2 CA test cannot run under CI: ${unavailable}`);

describe.skipIf(unavailable)(`CA and CMP keys in SoftHSM2${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let token: SoftHsmToken;
  let dir: string;
  let server: RunningServer | undefined;
  const caKey = 'pkcs11:token=cmpkit-ca;object=issuing-ca;type=private';
  const cmpKey = 'pkcs11:token=cmpkit-ca;object=cmp-server';
  const run = (...argv: string[]) => runCli({ cwd: dir }, ...argv);

  beforeAll(() => {
    token = createSoftHsmToken({ label: 'cmpkit-ca', pin: '4711' });
    process.env.CMPKIT_TEST_HSM_PIN = token.pin;
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-hsm-'));
    writeFileSync(
      join(dir, 'server.json'),
      JSON.stringify({ dataDir: 'data', pkcs11: { module: token.module, pin: 'env:CMPKIT_TEST_HSM_PIN' }, ca: { key: caKey, cmpKey } }),
    );
  });
  afterAll(async () => {
    await server?.stop();
    delete process.env.CMPKIT_TEST_HSM_PIN;
    token?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates the CA key on the token and writes a request a root made with OpenSSL certifies', async () => {
    const csr = await run(
      'ca',
      'csr',
      '--config',
      'server.json',
      '--key',
      caKey,
      '--generate',
      'ec:P-256',
      '--subject',
      '/O=HSM Example/CN=HSM Issuing CA',
      '--out',
      'ca.csr',
    );
    expect(csr.stderr).toBe('');
    expect(csr.stdout).toContain('generated a ec:P-256 key on the token (sensitive: true, extractable: false)');
    expect((await openssl(dir, 'req', '-in', 'ca.csr', '-verify', '-noout')).output).toMatch(/verify OK/i);
    const root = await makeOpensslCa(dir, 'root', '/O=HSM Example/CN=Offline Root');
    expect(root.ok, root.output).toBe(true);
    writeFileSync(
      join(dir, 'ca.ext'),
      'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    const ca = await openssl(
      dir,
      'x509',
      '-req',
      '-in',
      'ca.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key.pem',
      '-CAcreateserial',
      '-days',
      '20',
      '-extfile',
      'ca.ext',
      '-out',
      'ca.pem',
    );
    expect(ca.ok, ca.output).toBe(true);
  });

  it('imports the CA with its key in the token; the CMP key is generated there too', async () => {
    const result = await run('init', '--config', 'server.json', '--import', '--ca-cert', 'ca.pem', '--ca-chain', 'root.pem');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`CA key                  ${caKey} (stays in the token)`);
    expect(result.stdout).toMatch(/CMP server certificate {2}.*cmp-server\.pem \(issued by the CA/);
  });

  it('serves HTTPS; openssl cmp -tls_used enrolls (ir), updates with a signed kur and revokes, and the CRL verifies under the CA', async () => {
    server = await startServer(dir, '--config', 'server.json', '--tls');
    const address = new URL(server.httpUrl).host;
    const root = join(dir, 'data', 'root-ca.pem');
    const https = ['-server', address, '-path', '.well-known/cmp', '-tls_used', '-tls_trusted', root];
    await openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'dev.key');
    await openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'dev2.key');
    const ir = await openssl(
      dir,
      'cmp',
      '-cmd',
      'ir',
      ...https,
      '-ref',
      'demo',
      '-secret',
      'pass:demo-secret-change-me',
      '-newkey',
      'dev.key',
      '-subject',
      '/CN=hsm-device',
      '-certout',
      'dev.pem',
    );
    expect(ir.ok, ir.output).toBe(true);
    expect((await openssl(dir, 'verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', 'dev.pem')).output).toContain('dev.pem: OK');
    // A signed request gets a response signed with the CMP key on the token, which openssl verifies.
    const trust = ['-trusted', 'root.pem', '-untrusted', 'ca.pem'];
    const kur = await openssl(
      dir,
      'cmp',
      '-cmd',
      'kur',
      ...https,
      ...trust,
      '-cert',
      'dev.pem',
      '-key',
      'dev.key',
      '-newkey',
      'dev2.key',
      '-certout',
      'dev2.pem',
    );
    expect(kur.ok, kur.output).toBe(true);
    const rr = await openssl(
      dir,
      'cmp',
      '-cmd',
      'rr',
      ...https,
      ...trust,
      '-cert',
      'dev2.pem',
      '-key',
      'dev2.key',
      '-oldcert',
      'dev2.pem',
      '-revreason',
      '1',
    );
    expect(rr.ok, rr.output).toBe(true);
    const crl = await runCli({ cwd: dir }, 'crl', '--config', 'server.json', '--out', 'crl.pem');
    expect(crl.status, crl.stderr).toBe(0);
    writeFileSync(join(dir, 'chain.pem'), readFileSync(join(dir, 'ca.pem'), 'utf8') + readFileSync(join(dir, 'root.pem'), 'utf8'));
    const verified = await openssl(dir, 'crl', '-in', 'crl.pem', '-CAfile', 'chain.pem', '-noout', '-text');
    expect(verified.output).toMatch(/verify OK/);
    const serial = (await openssl(dir, 'x509', '-in', 'dev2.pem', '-noout', '-serial')).output.trim().replace('serial=', '');
    expect(verified.output.replace(/\s+/g, '')).toContain(`SerialNumber:${serial}`);
    expect(server.stderr()).toMatch(/rr -> rp accepted/);
  });

  it('holds no CA or CMP private key: the token keeps them sensitive and never extractable, and no PEM key is on disk', async () => {
    const clock = fakeClock(new Date());
    const config = await loadConfig({ cwd: dir, configFile: 'server.json' });
    const ctx = await openServerContext(config, { clock, crypto, logger: lineLogger(() => {}, 'silent', clock), create: false });
    try {
      for (const key of [ctx.material.issuing.privateKey, ctx.material.cmpServer.privateKey]) {
        expect(key.extractable).toBe(false);
        expect(ctx.keys.pkcs11?.protectionOf(key)).toEqual({
          sensitive: true,
          extractable: false,
          alwaysSensitive: true,
          neverExtractable: true,
        });
        await expect(ctx.crypto.subtle.exportKey('pkcs8', key)).rejects.toThrow();
      }
    } finally {
      await ctx.close();
    }
    const withKeys = readdirSync(join(dir, 'data')).filter((name) => readFileSync(join(dir, 'data', name)).includes('PRIVATE KEY'));
    expect(withKeys).toEqual(['tls-server.pem']);
  });
});
