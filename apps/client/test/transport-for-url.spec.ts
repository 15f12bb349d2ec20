import { describe, expect, it } from 'vitest';
import { transportForUrl } from '../src/transport/transport-for-url.js';
import { CliError } from '../src/cli-error.js';

describe('transportForUrl', () => {
  it('refuses schemes it does not speak, and push handling on plain HTTP', () => {
    expect(() => transportForUrl('ftp://127.0.0.1/x', { timeoutMs: 1000 })).toThrow(/unsupported scheme ftp:/);
    expect(() => transportForUrl('not a url', { timeoutMs: 1000 })).toThrow(CliError);
    expect(() => transportForUrl('http://127.0.0.1:1/', { timeoutMs: 1000, onPush: () => {} })).toThrow(/cannot push/);
  });

  it('connects tcp:// without a port to 829, the IANA port of CMP over TCP', async () => {
    const transport = transportForUrl('tcp://127.0.0.1', { timeoutMs: 2000 });
    // Nothing listens on 829 here (an unprivileged test cannot bind it): the refusal names the port.
    await expect(transport.send(Uint8Array.of(0x30, 0))).rejects.toThrow(/127\.0\.0\.1:829/);
    await transport.close();
  });
});
