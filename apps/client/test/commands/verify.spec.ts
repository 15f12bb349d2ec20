import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const FIXTURES = join(import.meta.dirname, '../../../../fixtures');
const VECTORS = join(FIXTURES, 'der/openssl-3.0');
const tmp = mkdtempSync(join(tmpdir(), 'cmpkit-verify-'));

describe('cmpkit verify', () => {
  it('verifies an OpenSSL PasswordBasedMac message with the right secret', async () => {
    const { status, stdout } = await runCli('verify', join(VECTORS, 'ip.der'), '--secret', 'pass:perf-test-secret');
    expect(status).toBe(0);
    expect(stdout).toContain('body: ip');
    expect(stdout).toContain('protection: id_PasswordBasedMac');
    expect(stdout).toContain('sender: (NULL-DN)');
    expect(stdout).toContain('verdict: OK');
  });

  it('verifies a kur signed by OpenSSL with ECDSA through the chain to the root, at a pinned time', async () => {
    const pki = join(FIXTURES, 'pki/openssl-3.0');
    const { status, stdout } = await runCli(
      'verify',
      join(FIXTURES, 'der/openssl-3.0-extra/kur-ec-sig_1-kur.der'),
      '--trusted',
      join(pki, 'root.pem'),
      '--untrusted',
      join(pki, 'chain.pem'),
      '--at',
      '2026-12-01T00:00:00Z',
    );
    expect(status).toBe(0);
    expect(stdout).toContain('protection: ecdsa_with_SHA256');
    expect(stdout).toContain('signer: subject=/C=DE/O=Example Org/CN=device-0001');
    expect(stdout).toContain('verdict: OK');
  });

  it('fails with signerNotTrusted when the time is after the signer expired', async () => {
    const pki = join(FIXTURES, 'pki/openssl-3.0');
    const { status, stdout } = await runCli(
      'verify',
      join(FIXTURES, 'der/openssl-3.0-extra/kur-ec-sig_1-kur.der'),
      '--trusted',
      join(pki, 'root.pem'),
      '--untrusted',
      join(pki, 'chain.pem'),
      '--at',
      '2030-01-01T00:00:00Z',
    );
    expect(status).toBe(1);
    expect(stdout).toContain('signerNotTrusted');
  });

  it('fails with the failInfo names on a wrong secret', async () => {
    const { status, stdout } = await runCli('verify', join(VECTORS, 'ir.der'), '--secret', 'pass:wrong');
    expect(status).toBe(1);
    expect(stdout).toMatch(/verdict: FAILED \(badMessageCheck\)/);
  });

  it('fails with badMessageCheck when one byte of the body changed', async () => {
    const der = new Uint8Array(readFileSync(join(VECTORS, 'certConf.der')));
    const tampered = der.slice();
    const at = tampered.length - 60;
    tampered[at] = (tampered[at] as number) ^ 0x01;
    const file = join(tmp, 'tampered.der');
    writeFileSync(file, tampered);
    const { status, stdout } = await runCli('verify', file, '--secret', 'env:CMPKIT_TEST_SECRET');
    expect(status).toBe(1);
    expect(stdout).toContain('badMessageCheck');
  });

  it('refuses a MAC-protected message when only signature trust is given (wrongIntegrity)', async () => {
    const { status, stdout } = await runCli('verify', join(VECTORS, 'genm.der'), '--trusted', join(FIXTURES, 'pki/openssl-3.0/root.pem'));
    expect(status).toBe(1);
    expect(stdout).toContain('wrongIntegrity');
  });

  it('needs --secret or --trusted', async () => {
    const { status, stderr } = await runCli('verify', join(VECTORS, 'genm.der'));
    expect(status).toBe(2);
    expect(stderr).toContain('verify needs --secret and/or --trusted');
  });
});

process.env['CMPKIT_TEST_SECRET'] = 'perf-test-secret';
