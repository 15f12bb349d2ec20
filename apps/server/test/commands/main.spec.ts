import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import { tempDir } from '../helpers.js';

describe('cmpkit-server', () => {
  it('prints the usage for help (status 0) and without a command (status 2)', async () => {
    const help = await runCli({}, 'help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: cmpkit-server <command>');
    for (const command of ['start', 'init', 'secret add', 'pending approve', 'revoke --serial', 'crl', 'ca certs', 'config']) {
      expect(help.stdout).toContain(command);
    }
    expect((await runCli({})).status).toBe(2);
  });

  it('refuses an unknown command or option with status 2', async () => {
    const unknown = await runCli({}, 'frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("cmpkit-server: unknown command 'frobnicate'");
    const option = await runCli({}, 'init', '--verbose');
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("Unknown option '--verbose'");
    expect((await runCli({}, 'start', '--port', '99999')).stderr).toContain('--port must be a number from 0 to 65535');
  });

  it('config prints the effective configuration without the secret', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ http: { port: 9999 }, logLevel: 'debug' }));
    const result = await runCli({ cwd: dir }, 'config', '--config', 'c.json');
    expect(result.status).toBe(0);
    const shown = JSON.parse(result.stdout) as {
      http: { port: number };
      logLevel: string;
      dataDir: string;
      initialSecret: { secret: string };
    };
    expect(shown.http.port).toBe(9999);
    expect(shown.logLevel).toBe('debug');
    expect(shown.dataDir).toBe(join(dir, '.cmpkit-server'));
    expect(shown.initialSecret.secret).toBe('(hidden)');
  });

  it('reports a configuration error with status 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ http: { prot: 1 } }));
    const result = await runCli({ cwd: dir }, 'init', '--config', 'c.json');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('cmpkit-server: config: unknown setting config.http.prot\n');
  });
});
