import { describe, expect, it } from 'vitest';
import { HELP_TOPICS } from '../../src/help.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../run-cli.js';

// A configuration file that is not there: every command fails at loading it, after its options
// were parsed, so nothing is created or served.
const NO_CONFIG = ['--config', '/nonexistent/cmpkit-help-test.json'];

describe('cmpkit-server --help and --version', () => {
  it.each(HELP_TOPICS)('%s --help prints its usage and exits 0; so does -h', async (topic) => {
    const words = topic.split(' ');
    const help = await runCli({}, ...words, '--help');
    expect(help).toMatchObject({ status: 0, stderr: '' });
    const command = words[0] === 'start' ? 'serve' : words[0]; // start is serve's alias
    expect(help.stdout).toMatch(new RegExp(`^usage: cmpkit-server ${command}\\b`));
    expect(help.stdout).toContain('--data-dir D');
    expect((await runCli({}, ...words, '-h')).stdout).toBe(help.stdout);
  });

  it.each(HELP_TOPICS)('%s accepts every option its help names', async (topic) => {
    const words = topic.split(' ');
    const { stdout } = await runCli({}, ...words, '--help');
    const options = [...new Set(stdout.match(/--[a-z][a-z-]+/g) ?? [])].filter((o) => o !== '--help' && o !== '--version');
    expect(options.length).toBeGreaterThan(2);
    const dir = tempDir();
    for (const option of options) {
      const run = await runCli({ cwd: dir }, ...words, option, 'x', ...NO_CONFIG);
      expect(run.stderr, `${topic} ${option}`).not.toMatch(/Unknown option/);
      expect(run.status, `${topic} ${option}`).not.toBe(0);
    }
  });

  it('--help after the options, or of an unknown subcommand, still helps; an unknown command does not', async () => {
    expect((await runCli({}, 'secret', '--data-dir', 'x', 'add', '--help')).stdout).toMatch(/^usage: cmpkit-server secret add REF/);
    expect((await runCli({}, 'pending', 'frobnicate', '--help')).stdout).toMatch(/^usage: cmpkit-server pending list/);
    const unknown = await runCli({}, 'frobnicate', '--help');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('--version names the program, the cmpkit packages it runs on, Node.js and OpenSSL', async () => {
    const version = await runCli({}, '--version');
    expect(version.status).toBe(0);
    const [program, packages, runtime] = version.stdout.split('\n');
    expect(program).toMatch(/^cmpkit-server \d+\.\d+\.\d+/);
    expect(packages).toMatch(/^@cmpkit\/ca \d+\.\d+\.\d+, @cmpkit\/codec \d+\.\d+\.\d+, @cmpkit\/core \d+\.\d+\.\d+/);
    expect(runtime).toBe(`Node.js ${process.version}, OpenSSL ${process.versions.openssl}`);
    expect((await runCli({}, '-V')).stdout).toBe(version.stdout);
  });
});
