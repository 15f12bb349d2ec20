import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePem } from '@cmpkit/codec';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { runCli } from '../run-cli.js';
import { parseCertificate, serialOf, tempDir } from '../helpers.js';

const ID_KP_CMC_RA = '06082b0601050507031c';

describe('cmpkit-server --role ra', () => {
  it('init --role ra --ca-data-dir: RA credentials issued by that CA with id-kp-cmcRA, the CA root as trust anchor', async () => {
    const dir = tempDir();
    expect((await runCli({ cwd: dir }, 'init', '--data-dir', 'ca')).status).toBe(0);
    const ra = await runCli({ cwd: dir }, 'init', '--role', 'ra', '--ca-data-dir', 'ca', '--data-dir', 'ra');
    expect(ra.status, ra.stderr).toBe(0);
    expect(ra.stdout).toContain(`created RA credentials in ${join(dir, 'ra')}`);
    expect(ra.stdout).toContain("reference 'demo'");
    const blocks = decodePem(readFileSync(join(dir, 'ra', 'ra.pem'), 'utf8')).map((b) => b.der);
    expect(blocks).toHaveLength(3);
    const [raCert, issuing, root] = blocks;
    expect(issuing).toEqual(decodePem(readFileSync(join(dir, 'ca', 'issuing-ca.pem'), 'utf8'))[0]!.der);
    expect(root).toEqual(decodePem(readFileSync(join(dir, 'ca', 'root-ca.pem'), 'utf8'))[0]!.der);
    expect(decodePem(readFileSync(join(dir, 'ra', 'ca-root.pem'), 'utf8'))[0]!.der).toEqual(root);
    const eku = parseCertificate(raCert!).tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.37');
    expect(Buffer.from(eku!.extnValue.buffer).toString('hex')).toContain(ID_KP_CMC_RA);
    expect(statSync(join(dir, 'ra', 'ra.key.pem')).mode & 0o777).toBe(0o600);
    // Recorded in the CA's database like every certificate it issues: listed, revocable, on its CRL when revoked.
    const listed = await runCli({ cwd: dir }, 'cert', 'list', '--json', '--data-dir', 'ca');
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        serial: serialOf(raCert!),
        subject: '/O=cmpkit demo/CN=cmpkit RA',
        status: 'confirmed',
        profile: 'ra',
        requester: 'cmpkit-server init --role ra',
      }),
    ]);

    const before = readFileSync(join(dir, 'ra', 'ra.pem'), 'utf8');
    const again = await runCli({ cwd: dir }, 'init', '--role', 'ra', '--ca-data-dir', 'ca', '--data-dir', 'ra');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already holds RA credentials');
    expect(readFileSync(join(dir, 'ra', 'ra.pem'), 'utf8')).toBe(before);
  });

  it('init --role ra with a CA data directory that has no database is a usage error, and writes no credentials', async () => {
    const dir = tempDir();
    expect((await runCli({ cwd: dir }, 'init', '--data-dir', 'ca')).status).toBe(0);
    const ra = await runCli({ cwd: dir }, 'init', '--role', 'ra', '--ca-data-dir', 'ca', '--ca-db', 'elsewhere.sqlite', '--data-dir', 'ra');
    expect(ra.status).toBe(2);
    expect(ra.stderr).toContain(`no CA database at ${join(dir, 'elsewhere.sqlite')}`);
    expect(() => statSync(join(dir, 'ra', 'ra.pem'))).toThrow();
  });

  it('init --role ra without a CA or credential files, and serve --role ra without --upstream, are usage errors', async () => {
    const dir = tempDir();
    const init = await runCli({ cwd: dir }, 'init', '--role', 'ra');
    expect(init.status).toBe(2);
    expect(init.stderr).toContain('init --role ra needs --ca-data-dir');
    const serve = await runCli({ cwd: dir }, 'serve', '--role', 'ra', '--port', '0');
    expect(serve.status).toBe(2);
    expect(serve.stderr).toContain('--role ra needs --upstream URL');
    const noCredentials = await runCli({ cwd: dir }, 'serve', '--role', 'ra', '--upstream', 'http://127.0.0.1:1/', '--port', '0');
    expect(noCredentials.status).toBe(2);
    expect(noCredentials.stderr).toContain('no RA credentials');
  });

  it('validates role and the ra settings', async () => {
    const dir = tempDir();
    await expect(loadConfig({ cwd: dir, role: 'proxy' })).rejects.toThrow(/role must be 'ca' or 'ra'/);
    writeFileSync(join(dir, 'bad-mode.json'), JSON.stringify({ ra: { mode: 'teleport' } }));
    await expect(loadConfig({ cwd: dir, configFile: 'bad-mode.json' })).rejects.toThrow(/ra\.mode must be one of/);
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ ra: { upstreem: 'http://x' } }));
    const typo = await loadConfig({ cwd: dir, configFile: 'typo.json' }).catch((e: unknown) => e);
    expect(typo).toBeInstanceOf(ConfigError);
    await expect(loadConfig({ cwd: dir, role: 'ra', upstream: 'ftp://ca' })).rejects.toThrow(/ra\.upstream must be an http/);
    const ok = await loadConfig({ cwd: dir, role: 'ra', upstream: 'http://127.0.0.1:8080/.well-known/cmp' });
    expect(ok.role).toBe('ra');
    expect(ok.ra).toMatchObject({ mode: 'reprotect', upstream: 'http://127.0.0.1:8080/.well-known/cmp', certificate: 'ra.pem' });
  });
});
