// The command line without rough edges: --help and --version, nothing sent when a new key or an
// output could not be kept, every file error naming the file, progress while a slow key is made,
// and https:// to a plain HTTP port explained in words.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMP_OPTIONS } from '../../src/cmp-options.js';
import { BENCH_OPTIONS } from '../../src/commands/bench.js';
import { LISTEN_OPTIONS } from '../../src/commands/listen.js';
import { HELP_TOPICS } from '../../src/help.js';
import { runCli } from '../run-cli.js';

const FIXTURE_PKI = fileURLToPath(new URL('../../../../fixtures/pki/openssl-3.0/', import.meta.url));
const EE_KEY = join(FIXTURE_PKI, 'ee.key');
const EE_CERT = join(FIXTURE_PKI, 'ee.pem');
const MAC = ['--ref', '3078', '--secret', 'pass:perf-test-secret'];

let tmp: string;
/** A plain HTTP server that counts the requests it gets and answers none of them with CMP. */
let http: Server;
let requests = 0;
let url: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cmpkit-cli-'));
  http = createServer((_, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/.well-known/cmp`;
});
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

const file = (name: string): string => join(tmp, name);

/** Runs the CLI and says whether anything reached the server. */
async function run(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string; sent: number }> {
  const before = requests;
  const result = await runCli(...argv);
  return { ...result, sent: requests - before };
}

describe('cmpkit --help and --version', () => {
  const accepted: Record<string, readonly string[]> = {
    listen: [...Object.keys(CMP_OPTIONS), ...Object.keys(LISTEN_OPTIONS)],
    bench: [...Object.keys(CMP_OPTIONS), ...Object.keys(BENCH_OPTIONS)],
    dump: ['json'],
  };

  it.each(HELP_TOPICS)('%s --help: its usage and options, exit 0, every option one the command takes', async (command) => {
    const help = await runCli(command, '--help');
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(new RegExp(`^usage: cmpkit ${command} `));
    expect((await runCli(command, '-h')).stdout).toBe(help.stdout);
    expect((await runCli(command, '--server', 'x', '--help')).stdout).toBe(help.stdout);
    const named = [...new Set((help.stdout.match(/--[a-z][a-z-]*/g) ?? []).map((o) => o.slice(2)))].filter((o) => o !== 'help');
    const known = accepted[command] ?? Object.keys(CMP_OPTIONS);
    expect(named.filter((o) => !known.includes(o))).toEqual([]);
  });

  it('the help of an enrollment names the options that matter for it', async () => {
    const ir = (await runCli('ir', '--help')).stdout;
    for (const option of [
      '--newkey',
      '--newkeyout',
      '--subject',
      '--certout',
      '--centralkeygen',
      '--server',
      '--ref',
      '--secret',
      '--mac',
    ]) {
      expect(ir).toContain(option);
    }
    expect((await runCli('kur', '--help')).stdout).toContain('--oldcert');
    expect((await runCli('p10cr', '--help')).stdout).toContain('--csr');
  });

  it('--version names cmpkit, the cmpkit packages, Node.js and OpenSSL', async () => {
    const version = await runCli('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^cmpkit \d+\.\d+\.\d+\n@cmpkit\/codec \d+\.\d+\.\d+, @cmpkit\/core \d+\.\d+\.\d+/);
    expect(version.stdout).toContain(`Node.js ${process.version}, OpenSSL ${process.versions.openssl}\n`);
  });
});

describe('cmpkit refuses before sending what would be lost', () => {
  it('a new key made here without --newkeyout (exit 2, nothing sent)', async () => {
    const r = await run('ir', '--server', url, ...MAC, '--newkey', 'ec:P-256', '--subject', '/CN=x', '--certout', file('c.pem'));
    expect(r).toMatchObject({ status: 2, stdout: '', sent: 0 });
    expect(r.stderr).toBe(
      'cmpkit: --newkey ec:P-256 makes a new key that would be lost: give --newkeyout FILE to keep it (or --newkey FILE with a key you have)\n',
    );
  });

  it('a key the CA makes without --newkeyout (exit 2, nothing sent)', async () => {
    const r = await run('ir', '--server', url, ...MAC, '--centralkeygen', '--subject', '/CN=x');
    expect(r).toMatchObject({ status: 2, sent: 0 });
    expect(r.stderr).toBe('cmpkit: --centralkeygen: the key the CA generates would be lost: give --newkeyout FILE to keep it\n');
  });

  it.each<[string, () => string[], RegExp]>([
    [
      '--certout in a directory that does not exist',
      () => ['--certout', file('missing/dir/c.pem')],
      /--certout .*missing\/dir\/c\.pem: cannot write it: the directory .*missing\/dir does not exist/,
    ],
    ['--certout that is a directory', () => ['--certout', tmp], /--certout .*: cannot write it: it is a directory/],
    [
      '--newkeyout below a file',
      () => ['--newkeyout', `${EE_KEY}/k.pem`],
      /--newkeyout .*ee\.key\/k\.pem: cannot write it: a part of the path is not a directory/,
    ],
    [
      '--certout and --newkeyout naming one file',
      () => ['--certout', file('same.pem'), '--newkeyout', file('same.pem')],
      /--certout and --newkeyout name the same file .*same\.pem/,
    ],
    [
      '--rspout in a directory that does not exist',
      () => ['--rspout', `${file('r1.der')},${file('nope/r2.der')}`],
      /--rspout .*nope\/r2\.der: cannot write it/,
    ],
  ])('an output that cannot be written: %s (exit 1, nothing sent, no key made)', async (_, outputs, message) => {
    const r = await run(
      'ir',
      '--server',
      url,
      ...MAC,
      '--newkey',
      'ec:P-256',
      '--newkeyout',
      file('new.key'),
      '--subject',
      '/CN=x',
      ...outputs(),
    );
    expect(r).toMatchObject({ status: 1, stdout: '', sent: 0 });
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('outputs of the general messages too', async () => {
    const r = await run('cacerts', '--server', url, ...MAC, '--cacertsout', file('none/ca.pem'));
    expect(r).toMatchObject({ status: 1, sent: 0 });
    expect(r.stderr).toMatch(/--cacertsout .*none\/ca\.pem: cannot write it: the directory .* does not exist/);
  });
});

describe('cmpkit names the file in every file error', () => {
  beforeAll(() => {
    writeFileSync(file('garbage.key'), 'garbage\n');
    writeFileSync(file('garbage.pem'), 'garbage\n');
    writeFileSync(file('garbage.der'), Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(file('encrypted.key'), privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }));
  });

  // Evaluated in the test: the temporary directory exists only then.
  it.each<[string, () => { args: string[]; message: string }]>([
    [
      'a garbage --newkey file',
      () => ({
        args: ['ir', '--newkey', file('garbage.key')],
        message: `--newkey ${file('garbage.key')}: not a private key (PEM or DER: PKCS#8, SEC1 or PKCS#1)`,
      }),
    ],
    [
      'a missing --key file',
      () => ({
        args: ['genm', '--cert', EE_CERT, '--key', file('none.key'), '--trusted', EE_CERT],
        message: `--key ${file('none.key')}: cannot read it: no such file`,
      }),
    ],
    [
      'an encrypted key without a password',
      () => ({
        args: ['ir', '--newkey', file('encrypted.key')],
        message: `--newkey ${file('encrypted.key')}: the key is encrypted: give its password with --newkeypass`,
      }),
    ],
    [
      'an encrypted key with the wrong password',
      () => ({
        args: ['ir', '--newkey', file('encrypted.key'), '--newkeypass', 'pass:wrong'],
        message: `--newkey ${file('encrypted.key')}: the key does not decrypt with the password of --newkeypass`,
      }),
    ],
    [
      'a --trusted file without certificates',
      () => ({
        args: ['genm', '--trusted', file('garbage.pem')],
        message: `--trusted ${file('garbage.pem')}: no certificate in it (PEM CERTIFICATE blocks or DER expected)`,
      }),
    ],
    [
      'a --trusted DER file that is no certificate',
      () => ({ args: ['genm', '--trusted', file('garbage.der')], message: `--trusted ${file('garbage.der')}: not a certificate:` }),
    ],
    [
      'a --cert file that is a key',
      () => ({
        args: ['genm', '--cert', EE_KEY, '--key', EE_KEY, '--trusted', EE_CERT],
        message: `--cert ${EE_KEY}: no certificate in it`,
      }),
    ],
    [
      'a missing --oldcert',
      () => ({ args: ['rr', '--oldcert', file('gone.pem')], message: `--oldcert ${file('gone.pem')}: cannot read it: no such file` }),
    ],
    [
      'a missing secret file',
      () => ({
        args: ['genm', '--ref', '3078', '--secret', `file:${file('no-secret')}`],
        message: `--secret file:${file('no-secret')}: cannot read it: no such file`,
      }),
    ],
    [
      'a garbage --csr',
      () => ({
        args: ['p10cr', '--csr', file('garbage.key')],
        message: `--csr ${file('garbage.key')}: not a usable PKCS#10 request: protection: PKCS #10 request:`,
      }),
    ],
  ])('%s', async (_, setup) => {
    const { args, message } = setup();
    const [command, ...rest] = args;
    const protection = rest.includes('--ref') || rest.includes('--cert') ? [] : MAC;
    const r = await run(command!, '--server', url, ...protection, ...rest);
    expect(r.sent).toBe(0);
    expect(r.stderr).toContain(`cmpkit: ${message}`);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).not.toMatch(/error:[0-9A-F]{8}|ENOENT/);
    expect(r.status).not.toBe(0);
  });
});

describe('cmpkit says what takes a while', () => {
  it('a slow key (RSA) is announced before it is made', async () => {
    const r = await run('ir', '--server', url, ...MAC, '--newkey', 'rsa:2048', '--newkeyout', file('rsa.key'), '--subject', '/CN=rsa');
    expect(r.stderr.split('\n')[0]).toBe('cmpkit: generating the new key (rsa:2048), this can take a few seconds...');
    const ec = await run('ir', '--server', url, ...MAC, '--newkey', 'ec:P-256', '--newkeyout', file('ec.key'), '--subject', '/CN=ec');
    expect(ec.stderr).not.toContain('generating');
  });
});

describe('cmpkit explains https:// to a plain HTTP port', () => {
  it('in words, with the http:// URL to use', async () => {
    const https = url.replace('http://', 'https://');
    const r = await runCli('genm', '--server', https, ...MAC);
    expect(r.status).toBe(1);
    const host = new URL(url).host;
    expect(r.stderr).toBe(
      `cmpkit: ${host} answered in plain text, not TLS: it does not speak https on that port\n` +
        `cmpkit: hint: use http://${host}/.well-known/cmp (or the server's TLS port)\n`,
    );
  });
});
