// A transaction over a lossy network: a UDP proxy between client and server drops and duplicates
// datagrams in a fixed pattern (no randomness), in both directions. Every request still completes
// with the right answer, and the handler sees each request exactly once: CoAP retransmission
// recovers the losses, the server's deduplication (by endpoint and message ID) absorbs the
// retransmissions and duplicates.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { deferred, waitUntil } from '@cmpkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { coapTransport, createCoapServer, type CoapServer, type CoapTransport } from '../src/index.js';

interface LossyProxy {
  port: number;
  /** Datagrams seen from the server to the client (before dropping), decoded type and code. */
  fromServer: { type: number; code: number }[];
  dropped: number;
  duplicated: number;
  close(): Promise<void>;
}

/** Forwards between one client and the server; drops every `dropEvery`-th and sends every `duplicateEvery`-th twice, per direction. */
async function lossyProxy(serverPort: number, dropEvery: number, duplicateEvery: number): Promise<LossyProxy> {
  const socket: Socket = createSocket('udp4');
  let client: RemoteInfo | undefined;
  const counters = { up: 0, down: 0 };
  const proxy: LossyProxy = {
    port: 0,
    fromServer: [],
    dropped: 0,
    duplicated: 0,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (datagram, from) => {
    const upstream = !(from.port === serverPort && from.address === '127.0.0.1');
    if (upstream) client = from;
    else proxy.fromServer.push({ type: (datagram[0]! >> 4) & 3, code: datagram[1]! });
    const n = upstream ? ++counters.up : ++counters.down;
    if (n % dropEvery === 0) {
      proxy.dropped++;
      return;
    }
    const [port, address] = upstream ? [serverPort, '127.0.0.1'] : [client!.port, client!.address];
    socket.send(datagram, port, address);
    if (n % duplicateEvery === 0) {
      proxy.duplicated++;
      socket.send(datagram, port, address);
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  proxy.port = socket.address().port;
  return proxy;
}

const transmission = { ackTimeoutMs: 40, ackRandomFactor: 1.5, maxRetransmit: 8 };

describe('CoAP over a lossy UDP path', () => {
  let server: CoapServer | undefined;
  let proxy: LossyProxy | undefined;
  let transport: CoapTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await proxy?.close();
    await server?.close();
  });

  async function start(handle: (request: Uint8Array) => Promise<Uint8Array>, piggybackMs = 500): Promise<CoapTransport> {
    server = createCoapServer({ handle, transmission, blockSize: 64, piggybackMs });
    const { port } = await server.listenUdp(0, '127.0.0.1');
    proxy = await lossyProxy(port, 4, 3);
    transport = coapTransport({ url: `coap://127.0.0.1:${proxy.port}`, transmission, blockSize: 64, timeoutMs: 60_000 });
    return transport;
  }

  it('completes block-wise transactions with each request handled exactly once', async () => {
    const calls = new Map<string, number>();
    const client = await start(async (request) => {
      const key = Array.from(request.subarray(0, 4)).join('.');
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return request.map((b) => b ^ 0x5a);
    });
    for (let i = 0; i < 6; i++) {
      const request = new Uint8Array(50 + i * 300).map((_, j) => (j * 13 + i) & 0xff);
      request.set([0x30, i, 0xaa, 0x55]);
      const answer = await client.send(request);
      expect(answer).toEqual(request.map((b) => b ^ 0x5a));
    }
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(proxy!.dropped).toBeGreaterThan(10);
    expect(proxy!.duplicated).toBeGreaterThan(10);
  });

  it('completes when the answer comes as a separate confirmable response after an empty ACK', async () => {
    const release = deferred();
    let calls = 0;
    const client = await start(async (request) => {
      calls++;
      await release.promise;
      return request.slice().reverse();
    }, 0);
    const sending = client.send(new Uint8Array([0x30, 1, 2, 3]));
    // The server acknowledged the request without an answer before the handler is released.
    await waitUntil(() => proxy!.fromServer.some((m) => m.type === 2 && m.code === 0), { what: 'an empty ACK from the server' });
    release.resolve();
    expect(await sending).toEqual(new Uint8Array([3, 2, 1, 0x30]));
    expect(calls).toBe(1);
    expect(proxy!.fromServer.some((m) => m.type === 0 && m.code === 0x44)).toBe(true); // CON 2.04
  });
});
