import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../src/index.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('toNodeListener body timeout', () => {
  it('answers 408 and closes when the body stops arriving, without calling the handler', async () => {
    let calls = 0;
    server = createServer(
      toNodeListener(
        async () => {
          calls++;
          return new Uint8Array([0x30, 0]);
        },
        { bodyTimeoutMs: 200 },
      ),
    );
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /.well-known/cmp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkixcmp\r\nContent-Length: 100\r\n\r\n0123456789',
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('request body timed out');
    expect(calls).toBe(0);
  });
});
