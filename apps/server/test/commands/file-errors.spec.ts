import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialised } from './cli-setup.js';

describe('cmpkit-server file errors', () => {
  it('name the option and the file, say what is wrong in words, and come before anything is issued or signed', async () => {
    const setup = await initialised();
    const file = (name: string): string => join(setup.dir, name);
    writeFileSync(file('garbage.pem'), 'garbage\n');
    const cases: [string[], string][] = [
      [
        ['cert', 'issue', '--subject', '/CN=x', '--pubkey', file('garbage.pem')],
        `--pubkey ${file('garbage.pem')}: no PUBLIC KEY in it (PEM or DER SubjectPublicKeyInfo expected)`,
      ],
      [['cert', 'issue', '--subject', '/CN=x', '--pubkey', file('none.pem')], `--pubkey ${file('none.pem')}: cannot read it: no such file`],
      [
        ['crl', '--out', file('missing/crl.der')],
        `--out ${file('missing/crl.der')}: cannot write it: the directory ${file('missing')}: no such file`,
      ],
      [['ca', 'certs', '--out', setup.dir], `--out ${setup.dir}: cannot write it: it is a directory`],
      [['secret', 'add', 'x', '--secret', `file:${file('no-secret')}`], `--secret ${file('no-secret')}: cannot read it: no such file`],
    ];
    for (const [argv, message] of cases) {
      const run = await setup.run(...argv);
      expect(run.status, argv.join(' ')).toBe(1);
      expect(run.stderr, argv.join(' ')).toBe(`cmpkit-server: ${message}\n`);
    }
    // The certificate an unwritable --out would lose is not issued at all.
    const { publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const spki = Buffer.from(await crypto.subtle.exportKey('spki', publicKey)).toString('base64');
    writeFileSync(file('pub.pem'), `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----\n`);
    const refused = await setup.run('cert', 'issue', '--subject', '/CN=kept', '--pubkey', file('pub.pem'), '--out', file('no/dir/c.pem'));
    expect(refused.status).toBe(1);
    expect((await setup.run('cert', 'list')).stdout).not.toContain('/CN=kept');
    expect(existsSync(file('no'))).toBe(false);
  });
});
