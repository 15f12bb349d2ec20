import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePem } from '@cmpkit/codec';
import { runCli } from '../run-cli.js';
import { parseCertificate, tempDir } from '../helpers.js';
import { initialised } from './cli-setup.js';

describe('cmpkit-server init', () => {
  it('creates the CA material, the database and the demo secret, and says so', async () => {
    const { dir, init } = await initialised();
    const data = join(dir, '.cmpkit-server');
    expect(init.stdout).toContain(`created a CA in ${data}`);
    expect(init.stdout).toContain("reference 'demo', secret 'demo-secret-change-me'");
    expect(init.stdout).toContain('-ref demo -secret pass:demo-secret-change-me');
    expect(init.stdout).toMatch(/database .*cmpkit-server\.sqlite \(schema version 4\)/);
    for (const name of ['root-ca', 'issuing-ca', 'cmp-server']) {
      const [cert] = decodePem(readFileSync(join(data, `${name}.pem`), 'utf8'));
      expect(cert?.label).toBe('CERTIFICATE');
      expect(statSync(join(data, `${name}.key.pem`)).mode & 0o777).toBe(0o600);
    }
    const server = parseCertificate(decodePem(readFileSync(join(data, 'cmp-server.pem'), 'utf8'))[0]!.der);
    const eku = server.tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.37');
    expect(Buffer.from(eku!.extnValue.buffer).toString('hex')).toContain('06082b0601050507031b'); // id-kp-cmcCA
  });

  it('leaves an initialised directory as it is and does not print the secret again', async () => {
    const { dir, run } = await initialised();
    const before = readFileSync(join(dir, '.cmpkit-server', 'root-ca.pem'), 'utf8');
    const again = await run('init');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('is already initialised');
    expect(again.stdout).not.toContain('demo-secret');
    expect(readFileSync(join(dir, '.cmpkit-server', 'root-ca.pem'), 'utf8')).toBe(before);
  });

  it('maintenance commands refuse an uninitialised data directory', async () => {
    const result = await runCli({ cwd: tempDir() }, 'secret', 'list');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("run 'cmpkit-server init'");
  });

  it('uses --data-dir', async () => {
    const dir = tempDir();
    const result = await runCli({ cwd: dir }, 'init', '--data-dir', 'elsewhere');
    expect(result.status).toBe(0);
    expect(statSync(join(dir, 'elsewhere', 'root-ca.pem')).isFile()).toBe(true);
  });

  it('says what it is doing while slow keys are generated (RSA), one line per key', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rsa.json'), JSON.stringify({ ca: { keyAlgorithm: 'rsa:2048' }, ra: { keyAlgorithm: 'rsa:2048' } }));
    const init = await runCli({ cwd: dir }, 'init', '--config', 'rsa.json', '--data-dir', 'ca');
    expect(init.status).toBe(0);
    expect(init.stderr).toBe(
      'generating the root CA key (rsa:2048)...\n' +
        'generating the issuing CA key (rsa:2048)...\n' +
        'generating the CMP server key (rsa:2048)...\n',
    );
    const ra = await runCli({ cwd: dir }, 'init', '--config', 'rsa.json', '--role', 'ra', '--ca-data-dir', 'ca', '--data-dir', 'ra');
    expect(ra.stderr).toBe('generating the RA key (rsa:2048)...\n');
    // An EC key takes no time worth saying.
    expect((await runCli({ cwd: dir }, 'init', '--data-dir', 'ec')).stderr).toBe('');
  });
});
