// The README's "Bring your own CA" example is the test: scripts/import-openssl-ca.sh holds exactly
// the commands the README shows (checked here), and runs them against the current sources: a CA
// made with `openssl req` and `openssl x509 -req`, imported with `cmpkit-server init --import`,
// served, enrolled against with `openssl cmp` (ir, then a signed kur), and every certificate
// checked with `openssl verify` against the imported root.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serverBundle } from '../postgres/server-process.js';
import { opensslVersion } from './openssl-harness.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const script = join(repo, 'scripts/import-openssl-ca.sh');
const readme = join(repo, 'apps/server/README.md');

/** The lines between the example markers, which the README shows in a sh block. */
function exampleOf(text: string, begin: string, end: string): string {
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from + begin.length);
  if (from < 0 || to < 0) throw new Error(`no example between '${begin}' and '${end}'`);
  return text.slice(from + begin.length, to).trim();
}

const openssl = opensslVersion() !== undefined;

describe('README: bring your own CA', () => {
  it('shows exactly the commands of scripts/import-openssl-ca.sh', () => {
    const fromScript = exampleOf(readFileSync(script, 'utf8'), '# --- README example: begin ---', '# --- README example: end ---');
    const fromReadme = exampleOf(readFileSync(readme, 'utf8'), '<!-- example: import-openssl-ca -->\n```sh', '```');
    expect(fromReadme).toBe(fromScript);
  });

  it.skipIf(!openssl)(
    `runs it: import an openssl CA, enroll with openssl cmp, openssl verify${openssl ? '' : ' (skipped: no openssl on the PATH)'}`,
    async () => {
      const bundle = await serverBundle();
      const dir = mkdtempSync(join(tmpdir(), 'cmpkit-import-'));
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'cmpkit-server'), `#!/bin/sh\nexec '${process.execPath}' '${bundle}' "$@"\n`);
      chmodSync(join(bin, 'cmpkit-server'), 0o755);
      const work = join(dir, 'work');
      mkdirSync(work);
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn('bash', [script], { cwd: work, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PORT: '0' } });
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        child.on('close', (exit) => resolve({ code: exit, output }));
      });
      const log = readFileSync(join(work, 'serve.log'), 'utf8');
      expect(code, `${output}\n--- serve.log ---\n${log}`).toBe(0);
      expect(output).toMatch(/imported a CA into .*ca-data/);
      expect(output.match(/device2?\.pem: OK/g)).toHaveLength(2);
      expect(log).toMatch(/ir -> ip accepted/);
      expect(log).toMatch(/kur -> kup accepted/);
      // Issued by the imported CA, whose key the server signed with.
      const issuer = execFileSync('openssl', ['x509', '-in', join(work, 'device2.pem'), '-noout', '-issuer'], { encoding: 'utf8' });
      expect(issuer).toMatch(/CN\s*=\s*Example Issuing CA/);
    },
    120_000,
  );
});
