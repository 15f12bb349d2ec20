import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

// `cmpkit listen` refuses what cannot work before it connects anywhere; the announcements
// themselves are tested end to end against cmpkit-server in apps/server/test/e2e.

describe('cmpkit listen', () => {
  it.each([
    [
      ['--server', 'http://127.0.0.1:1/.well-known/cmp', '--trusted', 'x.pem'],
      'needs a tcp://, ws(s)://, coap://, coap+tcp:// or coap+ws:// --server, or --http-listen',
    ],
    [['--server', 'ws://127.0.0.1:1/cmp'], 'listen needs --trusted'],
    [['--server', 'tcp://127.0.0.1:1', '--trusted', 'x.pem', '--count', '0'], "--count '0' is not a positive integer"],
    [['--server', 'tcp://127.0.0.1:1', '--trusted', 'x.pem', '--auto-renew'], '--auto-renew needs --cert and --key'],
    [['--server', 'ftp://127.0.0.1:1', '--trusted', 'x.pem', '--http-listen', '0'], 'unsupported scheme ftp:'],
  ])('refuses %j', async (args, message) => {
    const result = await runCli('listen', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
