import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePem } from '@cmpkit/codec';
import { certRequest, crlContent, ecKey, serialOf } from '../helpers.js';
import { initialised, type CliSetup } from './cli-setup.js';

async function issue(setup: CliSetup): Promise<string> {
  const ctx = await setup.context();
  try {
    const { spki } = await ecKey();
    const result = await ctx.issuer.certify(certRequest(spki));
    if (result.status !== 'issued') throw new Error('expected issued');
    return serialOf(result.certificate);
  } finally {
    await ctx.close();
  }
}

describe('cmpkit-server revoke', () => {
  it('revokes by serial (any hex form), publishes a CRL, and refuses a second time', async () => {
    const setup = await initialised();
    const serial = await issue(setup);
    const typed = serial
      .toUpperCase()
      .padStart(serial.length + 2, '0')
      .replace(/(..)(?=.)/g, '$1:');
    const result = await setup.run('revoke', '--serial', typed, '--reason', 'keyCompromise');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `revoked ${serial} (keyCompromise); CRL number 2 published\n` +
        'revocation announced to /CN=device-1: stored for the running server to deliver\n' +
        'CRL announced: stored 1 for the running server to deliver\n',
    );

    const crl = await setup.run('crl');
    expect(crl.status).toBe(0);
    const [block] = decodePem(crl.stdout);
    expect(block?.label).toBe('X509 CRL');
    expect(crlContent(block!.der).entries.get(serial)).toBe(1);
    expect(crl.stderr).toContain('CRL number 2');

    const again = await setup.run('revoke', '--serial', serial);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('is already revoked');
  });

  it('reports an unknown serial and refuses bad input', async () => {
    const setup = await initialised();
    const unknown = await setup.run('revoke', '--serial', '0x1234');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no certificate with serial 1234');
    expect((await setup.run('revoke')).status).toBe(2);
    expect((await setup.run('revoke', '--serial', 'xyz')).stderr).toContain("'xyz' is not a hexadecimal serial number");
    expect((await setup.run('revoke', '--serial', '12', '--reason', '8')).stderr).toContain('--reason must be a CRLReason');
    expect((await setup.run('revoke', '--serial', '12', '--reason', 'bored')).status).toBe(2);
  });
});

describe('cmpkit-server crl', () => {
  it('writes the current CRL as DER or PEM, and a new one with --new', async () => {
    const setup = await initialised();
    const der = await setup.run('crl', '--out', 'ca.crl');
    expect(der.stdout).toContain(`wrote ${join(setup.dir, 'ca.crl')}: CRL number 1`);
    expect(crlContent(new Uint8Array(readFileSync(join(setup.dir, 'ca.crl')))).crlNumber).toBe(1);
    setup.clock.advance(1000);
    expect((await setup.run('crl', '--new', '--out', 'ca.pem')).status).toBe(0);
    const [block] = decodePem(readFileSync(join(setup.dir, 'ca.pem'), 'utf8'));
    expect(crlContent(block!.der).crlNumber).toBe(2);
  });

  it('signs a new CRL once the current one is past nextUpdate', async () => {
    const setup = await initialised();
    setup.clock.advance(168 * 3_600_000);
    const result = await setup.run('crl');
    expect(crlContent(decodePem(result.stdout)[0]!.der).crlNumber).toBe(2);
  });
});

describe('cmpkit-server ca certs', () => {
  it('prints the issuing CA and the root, or writes them, or the root only', async () => {
    const setup = await initialised();
    const data = join(setup.dir, '.cmpkit-server');
    const issuing = decodePem(readFileSync(join(data, 'issuing-ca.pem'), 'utf8'))[0]!.der;
    const root = decodePem(readFileSync(join(data, 'root-ca.pem'), 'utf8'))[0]!.der;
    const printed = await setup.run('ca', 'certs');
    expect(decodePem(printed.stdout).map((b) => b.der)).toEqual([issuing, root]);
    const written = await setup.run('ca', 'certs', '--out', 'chain.pem');
    expect(written.stdout).toBe(`wrote 2 certificates to ${join(setup.dir, 'chain.pem')}\n`);
    expect(decodePem(readFileSync(join(setup.dir, 'chain.pem'), 'utf8')).map((b) => b.der)).toEqual([issuing, root]);
    expect(decodePem((await setup.run('ca', 'certs', '--root-only')).stdout).map((b) => b.der)).toEqual([root]);
    expect((await setup.run('ca', 'keys')).status).toBe(2);
  });
});
