import type { AddressInfo } from 'node:net';
import { waitUntil } from '@cmpkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  attachWsServer,
  createWsServer,
  type WsRequestContext,
  type WsServer,
  type WsServerConnection,
  type WsServerInit,
  WsEnvelopeKind,
} from '../src/index.js';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../src/internal/envelope.js';
import { answerTo, deferred, expectWsTransportError, hex, message, rejection } from './support/helpers.js';

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

/** A raw ws client: the envelopes it receives, and how its connection ended. */
interface RawClient {
  ws: WebSocket;
  next(): Promise<Envelope>;
  closed: Promise<{ code: number; reason: string }>;
}

function rawClient(
  url: string,
  protocols: string[] = ['cmp'],
  options: ConstructorParameters<typeof WebSocket>[2] = {},
): Promise<RawClient> {
  const ws = new WebSocket(url, protocols, options);
  cleanups.push(() => ws.terminate());
  const received: Envelope[] = [];
  const waiters: Array<(envelope: Envelope) => void> = [];
  ws.on('message', (data: Buffer) => {
    const envelope = decodeEnvelope(new Uint8Array(data))!;
    const waiter = waiters.shift();
    if (waiter) waiter(envelope);
    else received.push(envelope);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        next: () => {
          const envelope = received.shift();
          return envelope ? Promise.resolve(envelope) : new Promise((r) => waiters.push(r));
        },
        closed,
      }),
    );
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('error', reject);
  });
}

const request = (id: number, payload: Uint8Array): Uint8Array => encodeEnvelope(WsEnvelopeKind.request, id, payload);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

describe('createWsServer', () => {
  it('answers requests concurrently, each with the id of its request, in the order they finish', async () => {
    const releases = new Map([1, 2, 3].map((n) => [n, deferred()]));
    let entered = 0;
    const server = await start({
      handle: async (payload) => {
        entered++;
        await releases.get(payload[1]!)!.promise;
        return answerTo(payload);
      },
    });
    const client = await rawClient(`ws://127.0.0.1:${server.port}`);
    client.ws.send(request(70, Uint8Array.of(0x30, 1)));
    client.ws.send(request(80, Uint8Array.of(0x30, 2)));
    client.ws.send(request(90, Uint8Array.of(0x30, 3)));
    await waitUntil(() => entered === 3, { what: 'all three requests in the handler' });
    for (const n of [3, 1, 2]) releases.get(n)!.resolve();
    const answers = [await client.next(), await client.next(), await client.next()];
    expect(answers.map((a) => [a.kind, a.id, hex(a.payload)])).toEqual([
      [WsEnvelopeKind.response, 90, 'cffc'],
      [WsEnvelopeKind.response, 70, 'cffe'],
      [WsEnvelopeKind.response, 80, 'cffd'],
    ]);
  });

  it('refuses a handshake without the cmp subprotocol with 400', async () => {
    const server = await start();
    await expect(rawClient(`ws://127.0.0.1:${server.port}`, [])).rejects.toThrow('HTTP 400');
    await expect(rawClient(`ws://127.0.0.1:${server.port}`, ['cmp.v2', 'chat'])).rejects.toThrow('HTTP 400');
    const client = await rawClient(`ws://127.0.0.1:${server.port}`, ['chat', 'cmp']);
    expect(client.ws.protocol).toBe('cmp');
  });

  it('checks the Origin: a refused one gets 403, an allowed one connects', async () => {
    const seen: Array<string | undefined> = [];
    const server = await start({
      origin: (origin) => {
        seen.push(origin);
        return origin === 'https://ee.example';
      },
    });
    const url = `ws://127.0.0.1:${server.port}`;
    await expect(rawClient(url, ['cmp'], { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(rawClient(url, ['cmp'])).rejects.toThrow('HTTP 403');
    const client = await rawClient(url, ['cmp'], { origin: 'https://ee.example' });
    expect(seen).toEqual(['https://evil.example', undefined, 'https://ee.example']);
    const [connection] = [...server.connections.values()];
    expect(connection!.origin).toBe('https://ee.example');
    client.ws.send(request(1, message(4)));
    expect((await client.next()).kind).toBe(WsEnvelopeKind.response);
  });

  it('accepts only its path (404 elsewhere) and answers plain HTTP with 426', async () => {
    const server = await start({ path: '/cmp' });
    await expect(rawClient(`ws://127.0.0.1:${server.port}/other`)).rejects.toThrow('HTTP 404');
    await rawClient(`ws://127.0.0.1:${server.port}/cmp?x=1`);
    const response = await fetch(`http://127.0.0.1:${server.port}/cmp`);
    expect(response.status).toBe(426);
    await response.text();
  });

  it.each([
    ['a text message', (ws: WebSocket) => ws.send('hello'), 1003],
    ['a message shorter than the envelope header', (ws: WebSocket) => ws.send(Uint8Array.of(1, 0, 0)), 1002],
    ['a response envelope from the client', (ws: WebSocket) => ws.send(encodeEnvelope(WsEnvelopeKind.response, 1, message(3))), 1002],
    ['an unknown kind', (ws: WebSocket) => ws.send(encodeEnvelope(9, 1, message(3))), 1002],
    ['a message over maxPayload', (ws: WebSocket) => ws.send(request(1, message(1001))), 1009],
  ])('closes the connection on %s', async (_name, act, code) => {
    let calls = 0;
    const server = await start({
      maxMessageBytes: 1000,
      handle: async (payload) => {
        calls++;
        return payload;
      },
    });
    const client = await rawClient(`ws://127.0.0.1:${server.port}`);
    act(client.ws);
    expect((await client.closed).code).toBe(code);
    expect(calls).toBe(0);
  });

  it('answers an empty request, a duplicate id and a failing handler with error envelopes, and keeps the connection', async () => {
    const release = deferred();
    const reported: Array<{ error: unknown; context: WsRequestContext }> = [];
    const server = await start({
      handle: async (payload) => {
        if (payload[1] === 0xee) throw new Error('secret detail');
        if (payload[1] === 0xbb) await release.promise;
        return answerTo(payload);
      },
      onError: (error, context) => reported.push({ error, context }),
    });
    const client = await rawClient(`ws://127.0.0.1:${server.port}`);
    client.ws.send(request(5, new Uint8Array(0)));
    expect(await client.next()).toMatchObject({ kind: WsEnvelopeKind.error, id: 5 });
    client.ws.send(request(6, Uint8Array.of(0x30, 0xbb)));
    client.ws.send(request(6, Uint8Array.of(0x30, 0x01)));
    const duplicate = await client.next();
    expect([duplicate.kind, duplicate.id, text(duplicate.payload)]).toEqual([WsEnvelopeKind.error, 6, 'id 6 is already in flight']);
    client.ws.send(request(7, Uint8Array.of(0x30, 0xee)));
    const failure = await client.next();
    expect([failure.kind, failure.id, text(failure.payload)]).toEqual([WsEnvelopeKind.error, 7, 'internal server error']);
    expect((reported[0]!.error as Error).message).toBe('secret detail');
    expect(reported[0]!.context.connectionId).toBe([...server.connections.keys()][0]);
    release.resolve();
    expect(await client.next()).toMatchObject({ kind: WsEnvelopeKind.response, id: 6 });
  });

  it('answers a handshake that admit does not take with 503 and Retry-After, before the upgrade', async () => {
    let open = false;
    const asked: string[] = [];
    const server = await start({
      admit: (peer) => {
        asked.push(peer);
        return open ? { admitted: true } : { admitted: false, retryAfterSeconds: 12 };
      },
    });
    const url = `ws://127.0.0.1:${server.port}`;
    const refused = new WebSocket(url, ['cmp']);
    refused.on('error', () => {}); // 'Unexpected server response' after the 503, and the close before an upgrade
    cleanups.push(() => refused.terminate());
    const response = await new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
      refused.once('unexpected-response', (_request, incoming) => {
        resolve({ status: incoming.statusCode ?? 0, retryAfter: incoming.headers['retry-after'] as string | undefined });
        incoming.resume();
      });
      refused.once('open', () => reject(new Error('upgraded')));
    });
    expect(response).toEqual({ status: 503, retryAfter: '12' });
    expect(asked[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.connections.size).toBe(0);
    open = true;
    const client = await rawClient(url);
    client.ws.send(request(1, message(3)));
    expect((await client.next()).kind).toBe(WsEnvelopeKind.response);
  });

  it('passes the connection id, the peer address and a signal that aborts when the peer leaves', async () => {
    const entered = deferred<WsRequestContext>();
    const server = await start({
      handle: (_payload, context) => {
        entered.resolve(context);
        return new Promise(() => {});
      },
    });
    const client = await rawClient(`ws://127.0.0.1:${server.port}`);
    client.ws.send(request(1, message(3)));
    const context = await entered.promise;
    const connection = server.connections.get(context.connectionId)!;
    expect(context.connectionId).toMatch(/^ws-\d+$/);
    expect(context.remoteAddress).toBe(`127.0.0.1:${(client.ws as unknown as { _socket: { localPort: number } })._socket.localPort}`);
    expect(connection.remoteAddress).toBe(context.remoteAddress);
    client.ws.terminate();
    await connection.closed;
    expect(context.signal.aborted).toBe(true);
    expect(server.connections.size).toBe(0);
  });

  it('terminates a peer that stops answering pings, and keeps one that answers', async () => {
    // The rounds are driven here (no interval): with a timer, an event loop delayed by a whole
    // interval on a loaded machine runs the next round before it reads the pong.
    const server = await start({ pingIntervalMs: Infinity });
    const url = `ws://127.0.0.1:${server.port}`;
    const dead = await rawClient(url, ['cmp'], { autoPong: false });
    const alive = await rawClient(url);
    await waitUntil(() => server.connections.size === 2, { what: 'both connections' });
    const round = (): void => {
      for (const connection of server.connections.values()) (connection as unknown as { heartbeat(): void }).heartbeat();
    };
    let alivePings = 0;
    alive.ws.on('ping', () => alivePings++);
    /** A ping of the live peer's own, answered: the server has read everything it sent before (its pong). */
    const barrier = (): Promise<void> =>
      new Promise((resolve) => {
        alive.ws.once('pong', () => resolve());
        alive.ws.ping();
      });

    round();
    await waitUntil(() => alivePings === 1, { what: "the first round's ping at the live peer" });
    await barrier();
    // Pinged, no pong: terminated at the next round (no close frame, 1006 at the peer).
    round();
    expect((await dead.closed).code).toBe(1006);
    await waitUntil(() => server.connections.size === 1, { what: 'the server forgetting the dead peer' });
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    // The live peer's barrier ping counted as heard; the round after pings it again.
    round();
    await waitUntil(() => alivePings === 2, { what: 'the third round pinging the live peer' });
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('does not ping a peer that pings by itself, and pings it again once it stops', async () => {
    // The rounds are driven here (no interval), so nothing depends on how fast the machine is.
    const server = await start({ pingIntervalMs: Infinity });
    const client = await rawClient(`ws://127.0.0.1:${server.port}`);
    await waitUntil(() => server.connections.size === 1, { what: 'the connection' });
    const connection = [...server.connections.values()][0] as unknown as { heartbeat(): void };
    let pinged = 0;
    client.ws.on('ping', () => pinged++);
    /** A ping of the client's own, answered: the server has read everything the client sent before. */
    const ownPing = (): Promise<void> =>
      new Promise((resolve) => {
        client.ws.once('pong', () => resolve());
        client.ws.ping();
      });

    connection.heartbeat();
    await waitUntil(() => pinged === 1, { what: "the first round's ping" });
    await ownPing();
    connection.heartbeat(); // heard from the client since the last round: no ping
    await ownPing(); // a ping of the round would have arrived before this pong
    expect(pinged).toBe(1);
    connection.heartbeat(); // the barrier's own ping counts as heard: no ping either
    connection.heartbeat(); // nothing of its own since: pinged
    await waitUntil(() => pinged === 2, { what: 'a ping once the client went quiet' });
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    expect(server.connections.size).toBe(1);
  });

  it('pushes announcements in push envelopes with increasing ids, and refuses to push on a closed connection', async () => {
    const connected = deferred<WsServerConnection>();
    const server = await start({ onConnection: (connection) => connected.resolve(connection) });
    const client = await rawClient(`ws://127.0.0.1:${server.port}`);
    const connection = await connected.promise;
    await connection.push(message(50, 1));
    await connection.push(message(60, 2));
    const first = await client.next();
    const second = await client.next();
    expect([first.kind, first.id, hex(first.payload)]).toEqual([WsEnvelopeKind.push, 1, hex(message(50, 1))]);
    expect([second.kind, second.id]).toEqual([WsEnvelopeKind.push, 2]);
    await expect(connection.push(new Uint8Array(0))).rejects.toThrow(TypeError);
    client.ws.close();
    await connection.closed;
    expectWsTransportError(await rejection(connection.push(message(5))));
  });

  it('close() closes the open connections with 1001', async () => {
    const server = await createWsServer({
      handle: async (payload) => payload,
      port: 0,
      host: '127.0.0.1',
    });
    const client = await rawClient(`ws://127.0.0.1:${server.port}`);
    await server.close();
    expect((await client.closed).code).toBe(1001);
  });
});

describe('attachWsServer', () => {
  async function attached(
    options: Parameters<typeof attachWsServer>[2] = {},
    serverOptions: ConstructorParameters<typeof WebSocketServer>[0] = {},
  ) {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...serverOptions });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const cmp = attachWsServer(wss, async (payload) => answerTo(payload), options);
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    cleanups.push(() => cmp.close());
    return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, cmp };
  }

  it('closes a connection that did not negotiate the cmp subprotocol with 1002', async () => {
    const { url, cmp } = await attached();
    const client = await rawClient(url, ['chat']);
    expect(await client.closed).toEqual({ code: 1002, reason: 'subprotocol cmp required' });
    expect(cmp.connections.size).toBe(0);
  });

  it('closes a connection from a refused origin with 1008', async () => {
    const { url } = await attached({ origin: (origin) => origin === 'https://ee.example' });
    const refused = await rawClient(url, ['cmp'], { origin: 'https://evil.example' });
    expect((await refused.closed).code).toBe(1008);
    const accepted = await rawClient(url, ['cmp'], { origin: 'https://ee.example' });
    accepted.ws.send(request(3, message(4)));
    expect(await accepted.next()).toMatchObject({ kind: WsEnvelopeKind.response, id: 3 });
  });

  it('closes a connection that admit does not take with 1013, the seconds to wait in the reason', async () => {
    const { url, cmp } = await attached({ admit: () => ({ admitted: false, retryAfterSeconds: 3 }) });
    const client = await rawClient(url);
    expect(await client.closed).toEqual({ code: 1013, reason: 'try again in 3 s' });
    expect(cmp.connections.size).toBe(0);
  });

  it('checks maxMessageBytes itself when the WebSocketServer allows more', async () => {
    const { url } = await attached({ maxMessageBytes: 100 });
    const client = await rawClient(url);
    client.ws.send(request(1, message(101)));
    expect((await client.closed).code).toBe(1009);
  });

  it('validates its options', () => {
    const wss = new WebSocketServer({ noServer: true });
    expect(() => attachWsServer(wss, async (p) => p, { maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => attachWsServer(wss, async (p) => p, { pingIntervalMs: 0 })).toThrow(RangeError);
    expect(() => attachWsServer(wss, undefined as never)).toThrow(TypeError);
  });
});
