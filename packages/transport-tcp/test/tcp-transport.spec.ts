import { waitUntil } from '@cmpkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTcpServer,
  TcpErrorCode,
  type TcpServer,
  type TcpServerConnection,
  type TcpTransport,
  tcpTransport,
  type TcpTransportInit,
} from '../src/index.js';
import { encodeErrorMsgRep, encodeFrame, encodePollRep, FLAG_CLOSE, MessageType, readUint32 } from '../src/internal/frame.js';
import { deferred, expectTcpTransportError, type FakeServer, fakeServer, hex, message, type RawPeer, rejection } from './support/raw.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scripted(onPeer: (peer: RawPeer) => void | Promise<void>): Promise<FakeServer> {
  const server = await fakeServer(onPeer);
  cleanups.push(server.close);
  return server;
}

function client(port: number, init: Partial<TcpTransportInit> = {}): TcpTransport {
  const transport = tcpTransport({ host: '127.0.0.1', port, ...init });
  cleanups.push(() => transport.close());
  return transport;
}

async function realServer(init: Partial<Parameters<typeof createTcpServer>[0]> = {}): Promise<{ server: TcpServer; port: number }> {
  const server = createTcpServer({
    handle: async (request) => request.map((octet) => octet ^ 0xff),
    ...init,
  });
  cleanups.push(() => server.close());
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

/** A fake server answering every pkiReq with `answer(request)`, each frame written as given. */
function answering(
  answer: (request: Uint8Array) => Uint8Array,
  write: (peer: RawPeer, bytes: Uint8Array) => Promise<void> | void = (peer, bytes) => peer.write(bytes),
) {
  return async (peer: RawPeer) => {
    for (;;) {
      const frame = await peer.next();
      if (frame.type === MessageType.pkiReq) await write(peer, answer(frame.value));
    }
  };
}

describe('tcpTransport', () => {
  it('reads an answer that arrives one octet at a time', async () => {
    const answer = message(300, 5);
    const server = await scripted(
      answering(
        () => encodeFrame('v10', MessageType.pkiRep, answer),
        (peer, bytes) => peer.writeSlowly(bytes),
      ),
    );
    const transport = client(server.port);
    expect(hex(await transport.send(message(10)))).toBe(hex(answer));
  });

  it('reads two answers that arrive in one chunk for two sequential requests on one connection', async () => {
    let pending: Uint8Array[] = [];
    const server = await scripted(async (peer) => {
      for (;;) {
        const frame = await peer.next();
        pending.push(
          encodeFrame(
            'v10',
            MessageType.pkiRep,
            frame.value.map((o) => o ^ 1),
          ),
        );
        if (pending.length === 1) {
          // Answer the first request, split inside the header.
          const bytes = pending[0]!;
          peer.write(bytes.subarray(0, 3));
          await new Promise((resolve) => setTimeout(resolve, 5));
          peer.write(bytes.subarray(3));
        } else {
          peer.write(pending[1]!);
          pending = [];
        }
      }
    });
    const transport = client(server.port);
    expect(hex(await transport.send(Uint8Array.of(0x30, 1)))).toBe('3100');
    expect(hex(await transport.send(Uint8Array.of(0x30, 2)))).toBe('3103');
    expect(server.peers).toHaveLength(1);
  });

  it('sends version 10 pkiReq frames by default, RFC 2510 ones on request, and reads answers in either framing', async () => {
    const seen: Array<{ framing: string; flags: number; type: number }> = [];
    const server = await scripted(async (peer) => {
      for (;;) {
        const frame = await peer.next();
        seen.push({ framing: frame.framing, flags: frame.flags, type: frame.type });
        // Answer in the other framing.
        peer.write(encodeFrame(frame.framing === 'v10' ? 'rfc2510' : 'v10', MessageType.pkiRep, frame.value));
      }
    });
    expect(hex(await client(server.port).send(message(4)))).toBe(hex(message(4)));
    expect(hex(await client(server.port, { framing: 'rfc2510' }).send(message(4)))).toBe(hex(message(4)));
    expect(seen).toEqual([
      { framing: 'v10', flags: 0, type: MessageType.pkiReq },
      { framing: 'rfc2510', flags: 0, type: MessageType.pkiReq },
    ]);
  });

  it('turns errorMsgRep into a TcpTransportError with the text and the code (v10) or the text (RFC 2510)', async () => {
    const server = await scripted(async (peer) => {
      const frame = await peer.next();
      const text = 'CA is in maintenance';
      peer.write(encodeFrame(frame.framing, MessageType.errorMsgRep, encodeErrorMsgRep(frame.framing, 0x0300, text)));
    });
    const v10 = expectTcpTransportError(await rejection(client(server.port).send(message(5))));
    expect(v10.message).toBe(`tcp: 127.0.0.1:${server.port} answered with errorMsgRep (error code 0x0300): CA is in maintenance`);
    expect(v10.errorCode).toBe(0x0300);
    const rfc2510 = expectTcpTransportError(await rejection(client(server.port, { framing: 'rfc2510' }).send(message(5))));
    expect(rfc2510.message).toBe(`tcp: 127.0.0.1:${server.port} answered with errorMsgRep: CA is in maintenance`);
    expect(rfc2510.errorCode).toBeUndefined();
  });

  it('reports the server refusing an oversize request with its errorMsgRep', async () => {
    const { port } = await realServer({ maxMessageBytes: 1000 });
    const error = expectTcpTransportError(await rejection(client(port).send(message(50_000))));
    expect(error.errorCode).toBe(TcpErrorCode.tooLarge);
    expect(error.message).toContain('message larger than 1000 octets');
  });

  it('refuses an answer announced larger than maxMessageBytes without waiting for its octets', async () => {
    const server = await scripted(async (peer) => {
      await peer.next();
      // Header only: 2000 value octets announced, none sent.
      peer.write(encodeFrame('v10', MessageType.pkiRep, new Uint8Array(2000)).subarray(0, 7));
    });
    const transport = client(server.port, { maxMessageBytes: 1999, readTimeoutMs: 60_000 });
    const error = expectTcpTransportError(await rejection(transport.send(message(5))));
    expect(error.message).toBe(`tcp: 127.0.0.1:${server.port} announced a frame of 2003 octets, more than maxMessageBytes (1999) allows`);
    await server.peers[0]!.closed;
  });

  it.each([
    ['finRep', encodeFrame('v10', MessageType.finRep, Uint8Array.of(0)), 'ended the exchange (finRep) without a PKIMessage'],
    ['an empty pkiRep', encodeFrame('v10', MessageType.pkiRep, new Uint8Array(0)), 'answered with an empty pkiRep'],
    ['partialMsgRep', encodeFrame('rfc2510', MessageType.partialMsgRep, message(12)), 'answered with a frame of type 4'],
    ['a short pollRep', encodeFrame('v10', MessageType.pollRep, Uint8Array.of(0, 0, 0, 1)), 'sent a pollRep of 4 octets, expected 8'],
    ['a bad version octet', Uint8Array.of(0, 0, 0, 3, 0x42, 0, 5), 'version/type octet 66'],
  ])('rejects %s with a TcpTransportError', async (_name, frame, text) => {
    const server = await scripted(async (peer) => {
      await peer.next();
      peer.write(frame);
    });
    expect(expectTcpTransportError(await rejection(client(server.port).send(message(5)))).message).toContain(text);
  });

  describe('TCP-level polling', () => {
    it('waits for the time-to-check-back and sends pollReq with the reference, until pkiRep', async () => {
      const polls: Array<{ framing: string; reference: number | undefined }> = [];
      const server = await scripted(async (peer) => {
        const request = await peer.next();
        // Absolute time-to-check-back equal to the client's clock: poll at once.
        peer.write(encodeFrame('v10', MessageType.pollRep, encodePollRep(0xabcdef01, 1_700_000_000)));
        const first = await peer.next();
        polls.push({
          framing: first.framing,
          reference: first.type === MessageType.pollReq ? readUint32(first.value, 0) : undefined,
        });
        // A relative delay of 0 s: poll again at once.
        peer.write(encodeFrame('v10', MessageType.pollRep, encodePollRep(0xabcdef02, 0)));
        const second = await peer.next();
        polls.push({
          framing: second.framing,
          reference: second.type === MessageType.pollReq ? readUint32(second.value, 0) : undefined,
        });
        peer.write(
          encodeFrame(
            'v10',
            MessageType.pkiRep,
            request.value.map((o) => o ^ 0x0f),
          ),
        );
      });
      const transport = client(server.port, { now: () => 1_700_000_000_000 });
      expect(hex(await transport.send(Uint8Array.of(0x30, 0x00)))).toBe('3f0f');
      expect(polls).toEqual([
        { framing: 'v10', reference: 0xabcdef01 },
        { framing: 'v10', reference: 0xabcdef02 },
      ]);
    });

    it('fails at once when the server asks to poll after readTimeoutMs ends', async () => {
      const server = await scripted(async (peer) => {
        await peer.next();
        peer.write(encodeFrame('v10', MessageType.pollRep, encodePollRep(1, 3600)));
      });
      const transport = client(server.port, { readTimeoutMs: 20_000 });
      const error = expectTcpTransportError(await rejection(transport.send(message(5))));
      expect(error.message).toBe(`tcp: 127.0.0.1:${server.port} asks to poll again in 3600 s, after readTimeoutMs (20000 ms) ends`);
    });

    it('rejects with the abort reason while waiting to poll', async () => {
      const server = await scripted(async (peer) => {
        await peer.next();
        peer.write(encodeFrame('v10', MessageType.pollRep, encodePollRep(1, 10)));
      });
      const controller = new AbortController();
      const reason = new Error('stop polling');
      const sending = client(server.port).send(message(5), { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort(reason);
      expect(await rejection(sending)).toBe(reason);
    });

    it('polls createTcpServer until a slow handler has answered', async () => {
      const now = (): number => 1_700_000_000_000;
      const { port } = await realServer({
        polling: { afterMs: 10, checkAfterSeconds: 0 },
        now,
        handle: async (request) => {
          await new Promise((resolve) => setTimeout(resolve, 150));
          return request.map((o) => o ^ 0xff);
        },
      });
      expect(hex(await client(port, { now }).send(Uint8Array.of(0x30, 0x01)))).toBe('cffe');
    });
  });

  describe('connections', () => {
    it('keeps one connection for sequential requests', async () => {
      const { server, port } = await realServer();
      const transport = client(port);
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        await transport.send(message(5, i));
        for (const id of server.connections.keys()) seen.add(id);
      }
      expect([...seen]).toEqual(['tcp-1']);
    });

    it('with reuseConnection: false sets the close flag and uses a connection per request', async () => {
      const flags: number[] = [];
      const server = await scripted(async (peer) => {
        const frame = await peer.next();
        flags.push(frame.flags);
        peer.write(encodeFrame('v10', MessageType.pkiRep, frame.value, FLAG_CLOSE));
        peer.socket.end();
      });
      const transport = client(server.port, { reuseConnection: false });
      await transport.send(message(5, 1));
      await transport.send(message(5, 2));
      expect(flags).toEqual([FLAG_CLOSE, FLAG_CLOSE]);
      expect(server.peers).toHaveLength(2);
      await expect(transport.connect()).rejects.toThrow(TypeError);
    });

    it('uses separate connections for concurrent requests, at most maxConnections, the rest wait', async () => {
      const release = deferred();
      let inHandler = 0;
      let most = 0;
      const { port } = await realServer({
        handle: async (request) => {
          most = Math.max(most, ++inHandler);
          await release.promise;
          inHandler--;
          return request;
        },
      });
      const transport = client(port, { maxConnections: 2 });
      const sends = [1, 2, 3].map((n) => transport.send(message(5, n)));
      await waitUntil(() => inHandler === 2, { what: 'two requests in the handler' });
      release.resolve();
      const answers = await Promise.all(sends);
      expect(answers.map(hex)).toEqual([1, 2, 3].map((n) => hex(message(5, n))));
      expect(most).toBe(2);
    });

    it('drops a connection on which an unasked answer arrives while idle; the next send opens a new one', async () => {
      const server = await scripted(async (peer) => {
        const frame = await peer.next();
        peer.write(encodeFrame('v10', MessageType.pkiRep, frame.value));
        await new Promise((resolve) => setTimeout(resolve, 20));
        peer.write(encodeFrame('v10', MessageType.pkiRep, frame.value));
        for (;;) {
          const next = await peer.next();
          peer.write(encodeFrame('v10', MessageType.pkiRep, next.value));
        }
      });
      const transport = client(server.port);
      await transport.send(message(5));
      await server.peers[0]!.closed;
      expect(hex(await transport.send(message(6)))).toBe(hex(message(6)));
      expect(server.peers).toHaveLength(2);
    });

    it('fails with a TcpTransportError when nothing listens', async () => {
      const { server, port } = await realServer();
      await server.close();
      const error = expectTcpTransportError(await rejection(client(port).send(message(5))));
      expect(error.message).toContain(`cannot connect to 127.0.0.1:${port}`);
    });

    it('fails with a TcpTransportError when no answer comes within readTimeoutMs', async () => {
      const server = await scripted(async (peer) => {
        await peer.next();
      });
      const error = expectTcpTransportError(await rejection(client(server.port, { readTimeoutMs: 50 }).send(message(5))));
      expect(error.message).toBe(`tcp: no answer from 127.0.0.1:${server.port} within 50 ms`);
    });

    it('close() fails the exchanges in flight and later sends', async () => {
      const server = await scripted(async (peer) => {
        await peer.next();
      });
      const transport = client(server.port);
      const sending = rejection(transport.send(message(5)));
      await new Promise((resolve) => setTimeout(resolve, 30));
      await transport.close();
      expect(expectTcpTransportError(await sending).message).toBe('tcp: the transport is closed');
      expect(expectTcpTransportError(await rejection(transport.send(message(5)))).message).toBe('tcp: the transport is closed');
    });
  });

  describe('push', () => {
    it('delivers announcements on a connection opened with connect(), before and between requests', async () => {
      const connected = deferred<TcpServerConnection>();
      const { port } = await realServer({
        onConnection: (connection) => connected.resolve(connection),
      });
      const pushed: string[] = [];
      const arrived = [deferred(), deferred()];
      const transport = client(port, {
        onPush: (announcement) => {
          pushed.push(hex(announcement));
          arrived[pushed.length - 1]?.resolve();
        },
      });
      await transport.connect();
      const connection = await connected.promise;
      await connection.push(message(40, 1));
      await arrived[0]!.promise;
      // The request uses the same connection.
      expect(hex(await transport.send(Uint8Array.of(0x30, 0)))).toBe('cfff');
      await connection.push(message(40, 2));
      await arrived[1]!.promise;
      expect(pushed).toEqual([hex(message(40, 1)), hex(message(40, 2))]);
    });

    it('tells a push arriving during an exchange apart from the answer', async () => {
      const release = deferred();
      const entered = deferred<string>();
      const { server, port } = await realServer({
        handle: async (request, context) => {
          entered.resolve(context.connectionId);
          await release.promise;
          return request;
        },
      });
      const pushed: Uint8Array[] = [];
      const transport = client(port, { onPush: (announcement) => pushed.push(announcement) });
      const sending = transport.send(message(8, 3));
      await server.connections.get(await entered.promise)!.push(message(30, 4));
      release.resolve();
      expect(hex(await sending)).toBe(hex(message(8, 3)));
      expect(pushed.map(hex)).toEqual([hex(message(30, 4))]);
    });
  });

  describe('reconnect', () => {
    const backoff = { initialDelayMs: 10, maxDelayMs: 40 };

    it('re-opens the kept-open connection when the server closes it, tells onConnect, and pushes arrive again', async () => {
      const { server, port } = await realServer();
      const pushed: string[] = [];
      let connects = 0;
      const transport = client(port, { onPush: (m) => pushed.push(hex(m)), reconnect: backoff, onConnect: () => connects++ });
      await transport.connect();
      expect(connects).toBe(1);
      const [first] = await waitUntil(() => (server.connections.size === 1 ? [...server.connections.values()] : undefined));
      first!.close();
      await waitUntil(() => connects === 2 && server.connections.size === 1 && !server.connections.has(first!.id));
      const [second] = [...server.connections.values()];
      await second!.push(message(40, 2));
      await waitUntil(() => pushed.length === 1);
      expect(pushed).toEqual([hex(message(40, 2))]);
      expect(hex(await transport.send(message(9, 2)))).toBe(hex(message(9, 2).map((o) => o ^ 0xff)));
    });

    it('keeps trying with backoff while the server is down, and reconnects once it listens again', async () => {
      const { server, port } = await realServer();
      let connects = 0;
      const transport = client(port, { onPush: () => {}, reconnect: backoff, onConnect: () => connects++ });
      await transport.connect();
      await server.close();
      const again = createTcpServer({ handle: async (request) => request });
      cleanups.push(() => again.close());
      await again.listen(port, '127.0.0.1');
      await waitUntil(() => connects === 2 && again.connections.size === 1);
    });

    it('refuses settings that cannot work', () => {
      expect(() => tcpTransport({ host: 'h', reconnect: { initialDelayMs: 100, maxDelayMs: 10 } })).toThrow(RangeError);
      expect(() => tcpTransport({ host: 'h', reconnect: { maxAttempts: 0 } })).toThrow(RangeError);
      expect(() => tcpTransport({ host: 'h', reconnect: {}, reuseConnection: false })).toThrow(TypeError);
    });
  });

  it('validates its configuration', () => {
    expect(() => tcpTransport({ host: '' })).toThrow(TypeError);
    expect(() => tcpTransport({ host: 'h', port: 70000 })).toThrow(RangeError);
    expect(() => tcpTransport({ host: 'h', readTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => tcpTransport({ host: 'h', maxMessageBytes: 2 ** 32 })).toThrow(RangeError);
    expect(() => tcpTransport({ host: 'h', maxConnections: 0 })).toThrow(RangeError);
    expect(() => tcpTransport({ host: 'h', framing: 'v9' as never })).toThrow(TypeError);
  });
});
