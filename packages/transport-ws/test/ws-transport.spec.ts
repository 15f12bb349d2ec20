import type { AddressInfo } from 'node:net';
import { waitUntil } from '@cmpkit/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  attachWsServer,
  createWsServer,
  type WebSocketConstructor,
  type WsServer,
  type WsServerConnection,
  type WsServerInit,
  type WsTransport,
  wsTransport,
  type WsTransportInit,
  WsEnvelopeKind,
} from '../src/index.js';
import { decodeEnvelope, encodeEnvelope } from '../src/internal/envelope.js';
import { answerTo, deferred, expectWsTransportError, hex, message, rejection, sleep } from './support/helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(init: Partial<WsServerInit> = {}): Promise<WsServer> {
  const server = await createWsServer({
    handle: async (request) => answerTo(request),
    port: 0,
    host: '127.0.0.1',
    ...init,
  });
  cleanups.push(() => server.close());
  return server;
}

/** A `WebSocket` constructor (the `ws` package's) that keeps every socket it makes, for the test to watch. */
function recordingWebSocket(): { WebSocket: WebSocketConstructor; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  return { WebSocket: Recording as unknown as WebSocketConstructor, sockets };
}

function client(url: string, init: Partial<WsTransportInit> = {}): WsTransport {
  const transport = wsTransport({ url, ...init });
  cleanups.push(() => transport.close());
  return transport;
}

/** A bare WebSocketServer with a scripted message handler. */
async function scripted(
  onMessage: (ws: WebSocket, bytes: Uint8Array) => void,
  options: ConstructorParameters<typeof WebSocketServer>[0] = {},
): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => ws.on('message', (data: Buffer) => onMessage(ws, new Uint8Array(data))));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  );
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
}

describe('wsTransport', () => {
  it('matches answers to requests by id when they come out of order, on one connection', async () => {
    const held: Array<{ ws: WebSocket; id: number; payload: Uint8Array }> = [];
    const { wss, url } = await scripted((ws, bytes) => {
      const envelope = decodeEnvelope(bytes)!;
      held.push({ ws, id: envelope.id, payload: envelope.payload });
      if (held.length === 3) {
        for (const index of [2, 0, 1]) {
          const { ws: socket, id, payload } = held[index]!;
          socket.send(encodeEnvelope(WsEnvelopeKind.response, id, answerTo(payload)));
        }
      }
    });
    const transport = client(url);
    const requests = [1, 2, 3].map((n) => message(10 * n, n));
    const answers = await Promise.all(requests.map((request) => transport.send(request)));
    expect(answers.map(hex)).toEqual(requests.map((request) => hex(answerTo(request))));
    expect(new Set(held.map((h) => h.id)).size).toBe(3);
    expect(wss.clients.size).toBe(1);
  });

  it('ignores an answer whose request was aborted, and goes on on the same connection', async () => {
    const held: Array<{ ws: WebSocket; id: number; payload: Uint8Array }> = [];
    const { wss, url } = await scripted((ws, bytes) => {
      const envelope = decodeEnvelope(bytes)!;
      if (envelope.payload[1] === 0xaa) {
        held.push({ ws, id: envelope.id, payload: envelope.payload });
        return;
      }
      // Answer the held request first: its sender gave up already.
      for (const h of held.splice(0)) h.ws.send(encodeEnvelope(WsEnvelopeKind.response, h.id, answerTo(h.payload)));
      ws.send(encodeEnvelope(WsEnvelopeKind.response, envelope.id, answerTo(envelope.payload)));
    });
    const transport = client(url);
    const controller = new AbortController();
    const aborted = transport.send(Uint8Array.of(0x30, 0xaa), { signal: controller.signal });
    await sleep(30);
    controller.abort(new Error('gave up'));
    expect(((await rejection(aborted)) as Error).message).toBe('gave up');
    expect(hex(await transport.send(Uint8Array.of(0x30, 0x01)))).toBe('cffe');
    expect(wss.clients.size).toBe(1);
  });

  it('turns an error envelope into a WsTransportError with its text', async () => {
    const { url } = await scripted((ws, bytes) => {
      ws.send(encodeEnvelope(WsEnvelopeKind.error, decodeEnvelope(bytes)!.id, new TextEncoder().encode('internal server error')));
    });
    const error = expectWsTransportError(await rejection(client(url).send(message(5))));
    expect(error.message).toBe(`ws: ${url}/ could not answer: internal server error`);
  });

  it('fails when the server selects no subprotocol, or another one', async () => {
    const none = await scripted(() => {}, { handleProtocols: () => false });
    expect(expectWsTransportError(await rejection(client(none.url).send(message(5)))).message).toContain(`cannot connect to ${none.url}/`);
    const other = await scripted(() => {}, { handleProtocols: () => 'chat' });
    const error = expectWsTransportError(await rejection(client(other.url, { protocols: ['cmp', 'chat'] }).send(message(5))));
    expect(error.message).toBe(`ws: ${other.url}/ did not select the subprotocol "cmp"`);
  });

  it('delivers pushes to onPush, on a connection opened with connect(), before and between requests', async () => {
    const connected = deferred<WsServerConnection>();
    const server = await start({ onConnection: (connection) => connected.resolve(connection) });
    const pushed: string[] = [];
    const arrived = [deferred(), deferred()];
    const transport = client(`ws://127.0.0.1:${server.port}`, {
      onPush: (announcement) => {
        pushed.push(hex(announcement));
        arrived[pushed.length - 1]?.resolve();
      },
    });
    await transport.connect();
    const connection = await connected.promise;
    await connection.push(message(40, 1));
    await arrived[0]!.promise;
    expect(hex(await transport.send(Uint8Array.of(0x30, 0)))).toBe('cfff');
    await connection.push(message(40, 2));
    await arrived[1]!.promise;
    expect(pushed).toEqual([hex(message(40, 1)), hex(message(40, 2))]);
    expect(server.connections.size).toBe(1);
  });

  it('terminates a connection whose server stops answering pings; the request in flight fails', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const cmp = attachWsServer(wss, () => new Promise(() => {}), { pingIntervalMs: Infinity });
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    cleanups.push(() => cmp.close());
    const transport = client(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, {
      pingIntervalMs: 40,
    });
    const error = expectWsTransportError(await rejection(transport.send(message(5))));
    expect(error.message).toMatch(/did not answer a ping within 40 ms$/);
    expect(error.closeCode).toBe(1006);
  });

  it('keeps a connection whose server answers pings', async () => {
    const server = await start();
    const { WebSocket: recording, sockets } = recordingWebSocket();
    // The keep-alive rounds are driven here: with a real interval, an event loop delayed by a
    // whole interval on a loaded machine runs the next round before it reads the pong.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const transport = client(`ws://127.0.0.1:${server.port}`, { pingIntervalMs: 400, WebSocket: recording });
      await transport.connect();
      const [connection] = [...server.connections.values()];
      let pongs = 0;
      sockets[0]!.on('pong', () => pongs++);
      for (let round = 1; round <= 3; round++) {
        vi.advanceTimersByTime(400);
        await waitUntil(() => pongs === round, { what: `the pong of round ${round}` });
      }
      expect(server.connections.get(connection!.id)).toBe(connection);
      expect(hex(await transport.send(Uint8Array.of(0x30, 0x10)))).toBe('cfef');
    } finally {
      vi.useRealTimers();
    }
  });

  it('reconnects with backoff after the server restarts: the request in flight fails and is not sent again, the next send works', async () => {
    const entered = deferred();
    const first = await createWsServer({
      port: 0,
      host: '127.0.0.1',
      handle: async (request) => {
        if (request[1] === 0xaa) {
          entered.resolve();
          return new Promise(() => {});
        }
        return answerTo(request);
      },
    });
    const port = first.port;
    let connects = 0;
    const transport = client(`ws://127.0.0.1:${port}`, {
      reconnect: { initialDelayMs: 20, maxDelayMs: 80, factor: 2, maxAttempts: 100 },
      onConnect: () => connects++,
    });
    expect(hex(await transport.send(Uint8Array.of(0x30, 0x01)))).toBe('cffe');
    const inFlight = rejection(transport.send(Uint8Array.of(0x30, 0xaa)));
    await entered.promise;
    await first.close();
    const lost = expectWsTransportError(await inFlight);
    expect(lost.closeCode).toBe(1001);

    const seen: string[] = [];
    await start({
      port,
      handle: async (request) => {
        seen.push(hex(request));
        return answerTo(request);
      },
    });
    expect(hex(await transport.send(Uint8Array.of(0x30, 0x02)))).toBe('cffd');
    expect(seen).toEqual(['3002']);
    expect(connects).toBe(2);
  });

  it('gives up reconnecting after maxAttempts; the send waiting for it fails', async () => {
    const server = await createWsServer({
      handle: async (request) => request,
      port: 0,
      host: '127.0.0.1',
    });
    const transport = client(`ws://127.0.0.1:${server.port}`, {
      reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 },
    });
    await transport.connect();
    await server.close();
    const error = expectWsTransportError(await rejection(transport.send(message(5))));
    expect(error.message).toContain('gave up reconnecting to ');
    expect(error.message).toContain('after 2 attempts');
  });

  it('without reconnect, opens a new connection on the next send after the connection was lost', async () => {
    const server = await start();
    const { WebSocket: recording, sockets } = recordingWebSocket();
    const transport = client(`ws://127.0.0.1:${server.port}`, { WebSocket: recording });
    await transport.connect();
    for (const connection of server.connections.values()) connection.close(1001);
    await waitUntil(() => sockets[0]!.readyState === WebSocket.CLOSED, { what: 'the client connection closed' });
    expect(hex(await transport.send(Uint8Array.of(0x30, 0x03)))).toBe('cffc');
    expect([...server.connections.keys()]).toEqual(['ws-2']);
  });

  it('enforces maxMessageBytes on answers itself with a WebSocket that has no maxPayload (the browser path)', async () => {
    const server = await start({ handle: async () => message(1001) });
    const transport = client(`ws://127.0.0.1:${server.port}`, {
      maxMessageBytes: 1000,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    const error = expectWsTransportError(await rejection(transport.send(message(5))));
    expect(error.message).toBe(`ws: ws://127.0.0.1:${server.port}/ sent a message of 1001 octets, more than maxMessageBytes (1000)`);
  });

  it('fails with a WsTransportError when no answer comes within timeoutMs, or nothing listens', async () => {
    const server = await start({ handle: () => new Promise(() => {}) });
    const error = expectWsTransportError(await rejection(client(`ws://127.0.0.1:${server.port}`, { timeoutMs: 50 }).send(message(5))));
    expect(error.message).toBe(`ws: no answer from ws://127.0.0.1:${server.port}/ within 50 ms`);
    const port = server.port;
    await server.close();
    expect(expectWsTransportError(await rejection(client(`ws://127.0.0.1:${port}`).send(message(5)))).message).toContain(
      'cannot connect to',
    );
  });

  it('close() fails requests in flight and later sends', async () => {
    const server = await start({ handle: () => new Promise(() => {}) });
    const transport = client(`ws://127.0.0.1:${server.port}`);
    const sending = rejection(transport.send(message(5)));
    await sleep(30);
    await transport.close();
    expect(expectWsTransportError(await sending).message).toBe('ws: the transport is closed');
    expect(expectWsTransportError(await rejection(transport.send(message(5)))).message).toBe('ws: the transport is closed');
    await transport.close();
  });

  it('validates its configuration', () => {
    expect(() => wsTransport({ url: 'http://ca.example/' })).toThrow(TypeError);
    expect(() => wsTransport({ url: 'ws://ca.example/', protocols: ['chat'] })).toThrow(TypeError);
    expect(() => wsTransport({ url: 'ws://ca.example/', maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => wsTransport({ url: 'ws://ca.example/', timeoutMs: 0 })).toThrow(RangeError);
    expect(() => wsTransport({ url: 'ws://ca.example/', reconnect: { factor: 0.5 } })).toThrow(RangeError);
    expect(() => wsTransport({ url: 'ws://ca.example/', reconnect: { initialDelayMs: 100, maxDelayMs: 10 } })).toThrow(RangeError);
  });
});
