import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBase64, encodePem } from '@cmpkit/codec';
import { runCli } from '../run-cli.js';

const FIXTURES = join(import.meta.dirname, '../../../../fixtures/der/openssl-3.0');
const tmp = mkdtempSync(join(tmpdir(), 'cmpkit-dump-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('cmpkit dump', () => {
  it('prints the body type, header fields with OID names, status names and certificates', async () => {
    const { status, stdout, stderr } = await runCli('dump', join(FIXTURES, 'ip.der'));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('bodyType: ip');
    expect(stdout).toContain('algorithm: id_PasswordBasedMac (1.2.840.113533.7.66.13)');
    expect(stdout).toContain('iterationCount: 500');
    expect(stdout).toContain('senderKID: 33303738 ("3078")');
    expect(stdout).toContain('recipient:\n      directoryName: /C=DE/O=Example Org/CN=device-0001');
    expect(stdout).toContain('status: accepted (0)');
    expect(stdout).toContain('certificate subject=/C=DE/O=Example Org/CN=device-0001 issuer=/C=DE/O=Example Org/CN=CMP Perf Issuing CA');
  });

  it('prints JSON with --json', async () => {
    const { status, stdout } = await runCli('dump', '--json', join(FIXTURES, 'ir.der'));
    expect(status).toBe(0);
    const view = JSON.parse(stdout) as { bodyType: string; header: { pvno: number; senderKID: string } };
    expect(view.bodyType).toBe('ir');
    expect(view.header.pvno).toBe(2);
    expect(view.header.senderKID).toBe('33303738 ("3078")');
  });

  it.each([
    ['PEM', (der: Uint8Array) => encodePem('PKIMESSAGE', der)],
    ['base64', (der: Uint8Array) => encodeBase64(der)],
  ])('reads %s input', async (name, format) => {
    const file = join(tmp, `certConf.${name}`);
    writeFileSync(file, format(new Uint8Array(readFileSync(join(FIXTURES, 'certConf.der')))));
    const { status, stdout } = await runCli('dump', file);
    expect(status).toBe(0);
    expect(stdout).toContain('bodyType: certConf');
  });

  it('fails with the DerError message (offset and path) on a truncated message', async () => {
    const der = new Uint8Array(readFileSync(join(FIXTURES, 'genm.der')));
    const file = join(tmp, 'truncated.der');
    writeFileSync(file, der.subarray(0, 100));
    const { status, stdout, stderr } = await runCli('dump', file);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^cmpkit: ${file}: not a PKIMessage: codec: .* at offset \\d+ \\(PKIMessage`));
  });

  it('fails with a usage error on a missing FILE', async () => {
    const { status, stderr } = await runCli('dump');
    expect(status).toBe(2);
    expect(stderr).toContain('dump needs exactly one FILE');
  });

  it('fails when the file does not exist', async () => {
    const { status, stderr } = await runCli('dump', join(tmp, 'nope.der'));
    expect(status).toBe(1);
    expect(stderr).toBe(`cmpkit: dump ${join(tmp, 'nope.der')}: cannot read it: no such file\n`);
  });
});

describe('cmpkit help', () => {
  it('documents every option the commands accept', async () => {
    const { CMP_OPTIONS } = await import('../../src/cmp-options.js');
    const { status, stdout } = await runCli('help');
    expect(status).toBe(0);
    const undocumented = Object.keys(CMP_OPTIONS).filter((name) => !new RegExp(`--${name}\\b`).test(stdout));
    expect(undocumented).toEqual([]);
  });
});
