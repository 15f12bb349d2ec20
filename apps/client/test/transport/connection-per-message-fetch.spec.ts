import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpTransport } from '@cmpkit/transport-http';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionPerMessageFetch } from '../../src/transport/connection-per-message-fetch.js';

const DER = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x02);

describe('connectionPerMessageFetch', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => {
      server?.closeAllConnections();
      server?.close(() => resolve());
      if (!server) resolve();
    });
    server = undefined;
  });

  async function serve(handler: (headers: IncomingHttpHeaders, body: Buffer) => { status: number; type?: string; body?: Uint8Array }) {
    let connections = 0;
    const seen: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ headers: req.headers, body });
        const answer = handler(req.headers, body);
        res.writeHead(answer.status, answer.type ? { 'Content-Type': answer.type } : {});
        res.end(answer.body ? Buffer.from(answer.body) : undefined);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/cmp`;
    return { url, seen, connections: () => connections };
  }

  it('sends each message on its own connection with Connection: close, and hands back the answer', async () => {
    const s = await serve(() => ({ status: 200, type: 'application/pkixcmp', body: DER }));
    const transport = httpTransport({ url: s.url, fetch: connectionPerMessageFetch });
    expect(await transport.send(Uint8Array.of(0x30, 0x00))).toEqual(DER);
    expect(await transport.send(DER)).toEqual(DER);
    expect(s.connections()).toBe(2);
    expect(s.seen.map((r) => r.headers.connection)).toEqual(['close', 'close']);
    expect(s.seen.map((r) => r.headers['content-type'])).toEqual(['application/pkixcmp', 'application/pkixcmp']);
    expect(new Uint8Array(s.seen[1]!.body)).toEqual(DER);
  });

  it('keeps the transport checks: a 404 and a wrong media type are transport errors with the status', async () => {
    const s = await serve((headers) => (headers['x-case'] === 'type' ? { status: 200, type: 'text/html', body: DER } : { status: 404 }));
    await expect(httpTransport({ url: s.url, fetch: connectionPerMessageFetch }).send(DER)).rejects.toMatchObject({ status: 404 });
    await expect(
      httpTransport({ url: s.url, fetch: connectionPerMessageFetch, headers: { 'x-case': 'type' } }).send(DER),
    ).rejects.toMatchObject({ status: 200 });
  });

  it('stops at maxResponseBytes and honours a timeout', async () => {
    const s = await serve(() => ({ status: 200, type: 'application/pkixcmp', body: new Uint8Array(10_000) }));
    await expect(httpTransport({ url: s.url, fetch: connectionPerMessageFetch, maxResponseBytes: 1000 }).send(DER)).rejects.toThrow(
      /maxResponseBytes/,
    );
    server!.removeAllListeners('request');
    server!.on('request', () => {}); // never answers
    await expect(httpTransport({ url: s.url, fetch: connectionPerMessageFetch, timeoutMs: 50 }).send(DER)).rejects.toThrow(/within 50 ms/);
  });
});
