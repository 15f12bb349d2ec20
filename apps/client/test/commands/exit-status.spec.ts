import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const EE_KEY = fileURLToPath(new URL('../../../../fixtures/pki/openssl-3.0/ee.key', import.meta.url));
const MAC = ['--ref', '3078', '--secret', 'pass:perf-test-secret'];

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('cmpkit exit status and error lines', () => {
  it.each<[string, string[], RegExp]>([
    ['no --server', ['ir', ...MAC, '--newkey', EE_KEY], /--server is required/],
    ['an unknown option', ['ir', '--no-such-option'], /Unknown option '--no-such-option'/],
    ['no --newkey', ['ir', '--server', '127.0.0.1:1', ...MAC], /ir needs --newkey/],
    ['--secret without --ref', ['genm', '--server', '127.0.0.1:1', '--secret', 'pass:x'], /--secret needs --ref/],
    ['nothing to verify responses with', ['genm', '--server', '127.0.0.1:1'], /nothing to verify responses with/],
    ['a bad --revreason', ['rr', '--server', '127.0.0.1:1', ...MAC, '--oldcert', EE_KEY, '--revreason', '7'], /--revreason '7'/],
    ['a bad --mac', ['genm', '--server', '127.0.0.1:1', ...MAC, '--mac', 'md5'], /--mac 'md5' must be pbmac1 or pbm/],
    ['an unknown command', ['enrol'], /unknown command 'enrol'/],
  ])('%s: exit 2', async (_, argv, message) => {
    const r = await runCli(...argv);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('a server that is not there: exit 1 with one line', async () => {
    const port = await closedPort();
    const r = await runCli('genm', '--server', `127.0.0.1:${port}`, ...MAC);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cmpkit: http: [^\n]*ECONNREFUSED[^\n]*\n$/);
  });

  it('help: exit 0; no command: usage and exit 2', async () => {
    expect((await runCli('help')).status).toBe(0);
    const none = await runCli();
    expect(none.status).toBe(2);
    expect(none.stdout).toMatch(/^usage: cmpkit/);
  });
});
