// `cmpkit-server init --import` and the ca.* settings: an existing CA (three levels here, keys
// as PEM files) is checked, copied and served; inconsistent material is refused with a message
// that names the option or setting and the file.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createSelfSignedCa, createSubordinateCa, type GeneratedCa } from '@cmpkit/ca';
import { encodePem } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { loadConfig } from '../../src/config/load-config.js';
import { lineLogger } from '../../src/log/logger.js';
import { openServerContext } from '../../src/server/server-context.js';
import { fakeClock, tempDir } from '../helpers.js';
import { runCli } from '../run-cli.js';

const clock = fakeClock();

async function pkcs8Pem(ca: GeneratedCa): Promise<string> {
  return encodePem('PRIVATE KEY', new Uint8Array(await crypto.subtle.exportKey('pkcs8', ca.privateKey)));
}

/** A root, a policy CA and an issuing CA, written as PEM files into a fresh directory. */
async function threeLevelCa(): Promise<{ dir: string; root: GeneratedCa; policy: GeneratedCa; issuing: GeneratedCa; other: GeneratedCa }> {
  const dir = tempDir();
  const root = await createSelfSignedCa({ subject: '/O=Example/CN=Example Root CA', clock, extractable: true });
  const policy = await createSubordinateCa(createCertificateAuthority({ ...root, clock }), {
    subject: '/O=Example/CN=Example Policy CA',
    pathLenConstraint: 1,
    extractable: true,
  });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...policy, clock }), {
    subject: '/O=Example/CN=Example Issuing CA',
    extractable: true,
  });
  const other = await createSelfSignedCa({ subject: '/O=Other/CN=Other Root', clock, extractable: true });
  writeFileSync(join(dir, 'ca.pem'), encodePem('CERTIFICATE', issuing.certificate));
  writeFileSync(join(dir, 'ca.key'), await pkcs8Pem(issuing));
  // The chain in any order: root first here.
  writeFileSync(join(dir, 'chain.pem'), encodePem('CERTIFICATE', root.certificate) + encodePem('CERTIFICATE', policy.certificate));
  writeFileSync(join(dir, 'root.pem'), encodePem('CERTIFICATE', root.certificate));
  writeFileSync(join(dir, 'other.key'), await pkcs8Pem(other));
  writeFileSync(join(dir, 'other.pem'), encodePem('CERTIFICATE', other.certificate));
  return { dir, root, policy, issuing, other };
}

const run = (dir: string, ...argv: string[]) => runCli({ cwd: dir, clock }, ...argv);
const context = async (dir: string, configFile?: string) =>
  openServerContext(await loadConfig({ cwd: dir, ...(configFile ? { configFile } : {}) }), {
    clock,
    crypto,
    logger: lineLogger(() => {}, 'silent', clock),
  });

describe('cmpkit-server init --import', () => {
  it('imports a CA with its chain, issues the CMP certificate with it, and serves from it', async () => {
    const { dir, root, policy, issuing } = await threeLevelCa();
    const result = await run(dir, 'init', '--import', '--ca-cert', 'ca.pem', '--ca-key', 'ca.key', '--ca-chain', 'chain.pem');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const data = join(dir, '.cmpkit-server');
    expect(result.stdout).toContain(`imported a CA into ${data}`);
    expect(result.stdout).toContain('chain to the root       ' + join(data, 'root-ca.pem') + ' (2 certificates)');
    expect(result.stdout).toContain(`CMP server certificate  ${join(data, 'cmp-server.pem')} (issued by the CA`);
    expect(statSync(join(data, 'issuing-ca.key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(data, 'cmp-server.key.pem')).mode & 0o777).toBe(0o600);
    const ctx = await context(dir);
    try {
      expect(ctx.createdCa).toBe(false);
      expect(ctx.material.issuing.certificate).toEqual(issuing.certificate);
      expect(ctx.material.issuing.chain).toEqual([policy.certificate, root.certificate]);
      expect(ctx.material.root.certificate).toEqual(root.certificate);
      const cmp = parseCertificate(ctx.material.cmpServer.certificate);
      expect(cmp.issuer).toEqual(parseCertificate(issuing.certificate).subject);
      expect(cmp.extKeyUsage).toContain('1.3.6.1.5.5.7.3.27'); // id-kp-cmcCA
      expect(ctx.material.cmpServer.chain).toEqual([issuing.certificate, policy.certificate, root.certificate]);
      // The CRL is signed by the imported CA.
      const crl = await ctx.store.crls.current();
      expect(crl).toBeDefined();
    } finally {
      await ctx.close();
    }
  });

  it('with ca.cmpCredential "ca" the CA signs CMP messages itself', async () => {
    const { dir, issuing } = await threeLevelCa();
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ dataDir: 'data', ca: { cmpCredential: 'ca' } }));
    const result = await run(
      dir,
      'init',
      '--config',
      'server.json',
      '--import',
      '--ca-cert',
      'ca.pem',
      '--ca-key',
      'ca.key',
      '--ca-chain',
      'chain.pem',
    );
    expect(result.status).toBe(0);
    const ctx = await context(dir, 'server.json');
    try {
      expect(ctx.material.cmpServer.certificate).toEqual(issuing.certificate);
      expect(ctx.material.cmpServer.privateKey).toBe(ctx.material.issuing.privateKey);
    } finally {
      await ctx.close();
    }
  });

  it.each([
    [
      "a key that is not the CA certificate's",
      ['--ca-key', 'other.key', '--ca-chain', 'chain.pem'],
      /--ca-key: the key .*other\.key is not the key of the certificate/,
    ],
    ['a chain without the root', ['--ca-key', 'ca.key', '--ca-chain', 'ca.pem'], /no self-signed root certificate among the CA's chain/],
    [
      'a chain that misses a level',
      ['--ca-key', 'ca.key', '--ca-chain', 'root.pem'],
      /--ca-cert .*ca\.pem does not chain to a root in --ca-chain .*root\.pem/,
    ],
    ['no key', ['--ca-chain', 'chain.pem'], /init --import needs --ca-key FILE/],
    ['a missing file', ['--ca-key', 'ca.key', '--ca-chain', 'nothing.pem'], /--ca-chain: cannot read .*nothing\.pem/],
    [
      'a key in a token not in the configuration',
      ['--ca-key', 'pkcs11:token=ca;object=k', '--ca-chain', 'chain.pem'],
      /a key in a token is not copied; set ca\.key to that URI/,
    ],
    [
      'a CMP key without its certificate',
      ['--ca-key', 'ca.key', '--ca-chain', 'chain.pem', '--cmp-key', 'ca.key'],
      /--cmp-key needs --cmp-cert/,
    ],
    [
      'a CMP certificate of another CA',
      ['--ca-key', 'ca.key', '--ca-chain', 'chain.pem', '--cmp-cert', 'other.pem', '--cmp-key', 'other.key'],
      /--cmp-cert .*other\.pem: not a CMP signing certificate of this CA/,
    ],
  ])('refuses %s and writes nothing', async (_name, args, message) => {
    const { dir } = await threeLevelCa();
    const result = await run(dir, 'init', '--import', '--ca-cert', 'ca.pem', ...args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(() => statSync(join(dir, '.cmpkit-server', 'issuing-ca.pem'))).toThrow();
  });

  it('refuses a data directory that has a CA, and --ca-cert without --import', async () => {
    const { dir } = await threeLevelCa();
    expect((await run(dir, 'init')).status).toBe(0);
    const again = await run(dir, 'init', '--import', '--ca-cert', 'ca.pem', '--ca-key', 'ca.key', '--ca-chain', 'chain.pem');
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('issuing-ca.pem exists already: the data directory has a CA');
    const missing = await run(dir, 'init', '--ca-cert', 'ca.pem');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--ca-cert needs --import');
  });
});

describe('ca.* settings', () => {
  it('reads the CA where the settings point, and never generates one there', async () => {
    const { dir, issuing } = await threeLevelCa();
    writeFileSync(
      join(dir, 'server.json'),
      JSON.stringify({
        dataDir: 'data',
        ca: { certificate: join(dir, 'ca.pem'), key: join(dir, 'ca.key'), chain: join(dir, 'chain.pem') },
      }),
    );
    const ctx = await context(dir, 'server.json');
    try {
      expect(ctx.createdCa).toBe(false);
      expect(ctx.material.issuing.certificate).toEqual(issuing.certificate);
      expect(ctx.issuedCmpCertificate).toBe(join(dir, 'data', 'cmp-server.pem'));
    } finally {
      await ctx.close();
    }
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ dataDir: 'data2', ca: { certificate: join(dir, 'missing.pem') } }));
    await expect(context(dir, 'bad.json')).rejects.toThrow(`config: ca.certificate: ${join(dir, 'missing.pem')} does not exist`);
  });

  it('names the setting for an encrypted or unreadable key', async () => {
    const { dir } = await threeLevelCa();
    writeFileSync(join(dir, 'enc.key'), '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
    writeFileSync(join(dir, 'garbage.key'), 'not a key\n');
    for (const [key, message] of [
      ['enc.key', /ca\.key: .*enc\.key is encrypted; decrypt it/],
      ['garbage.key', /ca\.key: .*garbage\.key holds no private key in PEM/],
    ] as const) {
      writeFileSync(
        join(dir, 'server.json'),
        JSON.stringify({ dataDir: 'data', ca: { certificate: join(dir, 'ca.pem'), key: join(dir, key), chain: join(dir, 'chain.pem') } }),
      );
      await expect(context(dir, 'server.json')).rejects.toThrow(message);
    }
  });

  it('refuses ca.cmpCredential "ca" for a CA certificate without digitalSignature', async () => {
    const dir = tempDir();
    const root = await createSelfSignedCa({ subject: '/CN=Root', clock, extractable: true });
    const ca = createCertificateAuthority({ ...root, clock });
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const { defineProfile } = await import('@cmpkit/ca');
    const { decodeSubjectPublicKeyInfo, parseName } = await import('@cmpkit/codec');
    const issued = await ca.issue({
      template: { subject: parseName('/CN=Signing-only CA') },
      publicKey: decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey))),
      profile: defineProfile({
        name: 'ca',
        validityDays: 100,
        basicConstraints: { cA: true, pathLenConstraint: 0 },
        keyUsage: ['keyCertSign', 'cRLSign'],
        keyAlgorithms: ['ec:P-256'],
        allowSubjectAltName: false,
      }),
    });
    writeFileSync(join(dir, 'ca.pem'), encodePem('CERTIFICATE', issued.certificate));
    writeFileSync(join(dir, 'ca.key'), encodePem('PRIVATE KEY', new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey))));
    writeFileSync(join(dir, 'root.pem'), encodePem('CERTIFICATE', root.certificate));
    const settings = { certificate: join(dir, 'ca.pem'), key: join(dir, 'ca.key'), chain: join(dir, 'root.pem'), cmpCredential: 'ca' };
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ dataDir: 'data', ca: settings }));
    await expect(context(dir, 'server.json')).rejects.toThrow(
      /ca\.cmpCredential "ca": the CA certificate .* has no keyUsage digitalSignature/,
    );
  });

  it('config prints no PIN', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'server.json'),
      JSON.stringify({
        pkcs11: { module: '/usr/lib/m.so', pin: 'pass:4711' },
        ca: { key: 'pkcs11:object=ca?pin-value=4711', cmpKey: 'pkcs11:object=cmp' },
      }),
    );
    const shown = await run(dir, 'config', '--config', 'server.json');
    expect(shown.status).toBe(0);
    expect(shown.stdout).not.toContain('4711');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      pkcs11: { pin: 'pass:(hidden)' },
      ca: { key: 'pkcs11:object=ca?pin-value=(hidden)' },
    });
  });
});
