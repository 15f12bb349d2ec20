import { waitUntil } from '@cmpkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTcpServer,
  TcpErrorCode,
  type TcpRequestContext,
  type TcpServer,
  type TcpServerConnection,
  type TcpServerInit,
} from '../src/index.js';
import { decodeErrorMsgRep, encodeFrame, encodePollReq, FLAG_CLOSE, MessageType, readUint32 } from '../src/internal/frame.js';
import { deferred, expectTcpTransportError, hex, message, rawClient, type RawPeer, rejection } from './support/raw.js';

/** The answer of the echo handler: the request with every octet XOR 0xff. */
const answerTo = (request: Uint8Array): Uint8Array => request.map((octet) => octet ^ 0xff);

let running: TcpServer | undefined;
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.destroy();
  await running?.close();
  running = undefined;
});

async function start(init: Partial<TcpServerInit> = {}): Promise<{ server: TcpServer; connect: () => Promise<RawPeer> }> {
  const server = createTcpServer({ handle: async (request) => answerTo(request), ...init });
  running = server;
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    connect: async () => {
      const peer = await rawClient(port);
      peers.push(peer);
      return peer;
    },
  };
}

function errorOf(frame: { framing: 'v10' | 'rfc2510'; type: number; value: Uint8Array }) {
  expect(frame.type).toBe(MessageType.errorMsgRep);
  return decodeErrorMsgRep(frame.framing, frame.value);
}

describe('createTcpServer', () => {
  it('answers a pkiReq written one octet at a time, then a second request on the same connection', async () => {
    const { connect } = await start();
    const peer = await connect();
    const first = message(200, 1);
    await peer.writeSlowly(encodeFrame('v10', MessageType.pkiReq, first));
    const answer = await peer.next();
    expect(answer).toMatchObject({ framing: 'v10', type: MessageType.pkiRep, flags: 0 });
    expect(hex(answer.value)).toBe(hex(answerTo(first)));
    const second = message(50, 2);
    peer.write(encodeFrame('v10', MessageType.pkiReq, second));
    expect(hex((await peer.next()).value)).toBe(hex(answerTo(second)));
  });

  it('accepts RFC 2510 framing and answers in it (finalMsgRep, no version octet)', async () => {
    const { connect } = await start();
    const peer = await connect();
    const request = message(40, 3);
    peer.write(encodeFrame('rfc2510', MessageType.pkiReq, request));
    const answer = await peer.next();
    expect(answer).toMatchObject({ framing: 'rfc2510', type: MessageType.pkiRep });
    expect(hex(answer.value)).toBe(hex(answerTo(request)));
  });

  it('answers each frame in its own framing, several pipelined frames in order', async () => {
    const { connect } = await start({
      // The first request takes longer than the second: answers still come in request order.
      handle: async (request) => {
        if (request[1] === 1) await new Promise((resolve) => setTimeout(resolve, 30));
        return answerTo(request);
      },
    });
    const peer = await connect();
    const requests = [1, 2, 3].map((n) => Uint8Array.of(0x30, n));
    peer.write(
      new Uint8Array([
        ...encodeFrame('v10', MessageType.pkiReq, requests[0]!),
        ...encodeFrame('rfc2510', MessageType.pkiReq, requests[1]!),
        ...encodeFrame('v10', MessageType.pkiReq, requests[2]!),
      ]),
    );
    const answers = [await peer.next(), await peer.next(), await peer.next()];
    expect(answers.map((a) => a.framing)).toEqual(['v10', 'rfc2510', 'v10']);
    expect(answers.map((a) => hex(a.value))).toEqual(requests.map((r) => hex(answerTo(r))));
  });

  it('refuses an oversize announced length with errorMsgRep and closes, before any of the message is sent', async () => {
    let calls = 0;
    const { connect } = await start({
      maxMessageBytes: 1000,
      handle: async (request) => {
        calls++;
        return request;
      },
    });
    const peer = await connect();
    // Only the header: length 1004 = version, flags, type + 1001 octets that never come.
    peer.write(Uint8Array.of(0, 0, 0x03, 0xec, 10, 0, 0));
    const refusal = await peer.next();
    expect(refusal.flags & FLAG_CLOSE).toBe(FLAG_CLOSE);
    expect(errorOf(refusal)).toEqual({
      errorCode: TcpErrorCode.tooLarge,
      text: 'message larger than 1000 octets',
    });
    // The error data is the limit.
    expect(hex(refusal.value.subarray(2, 8))).toBe('0004' + '000003e8');
    await peer.closed;
    expect(calls).toBe(0);
  });

  it('answers a connection that admit does not take with errorMsgRep busy (the seconds to wait) and closes it, unserved', async () => {
    let calls = 0;
    let open = true;
    const { connect, server } = await start({
      admit: () => (open ? { admitted: true } : { admitted: false, retryAfterSeconds: 7 }),
      handle: async (request) => {
        calls++;
        return request;
      },
    });
    const admitted = await connect();
    open = false;
    const refused = await connect();
    const refusal = await refused.next();
    expect(refusal.flags & FLAG_CLOSE).toBe(FLAG_CLOSE);
    expect(errorOf(refusal)).toEqual({ errorCode: TcpErrorCode.busy, text: 'too many new connections; try again in 7 s' });
    expect(hex(refusal.value.subarray(2, 8))).toBe('0004' + '00000007');
    await refused.closed;
    expect(server.connections.size).toBe(1);
    admitted.write(encodeFrame('v10', MessageType.pkiReq, message(20, 1)));
    expect((await admitted.next()).type).toBe(MessageType.pkiRep);
    expect(calls).toBe(1);
  });

  it('refuses an announced length of 4 GiB from the length octets alone', async () => {
    const { connect } = await start();
    const peer = await connect();
    peer.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect(errorOf(await peer.next()).errorCode).toBe(TcpErrorCode.tooLarge);
    await peer.closed;
  });

  it.each([
    [
      'a version octet that is neither (raw DER sent without framing)',
      [0, 0, 0, 4, 0x30, 0x02, 0x05, 0x00],
      TcpErrorCode.unsupportedVersion,
    ],
    ['version 10 with a length too short for its header', [0, 0, 0, 1, 10], TcpErrorCode.badRequest],
  ])('answers garbage framing with errorMsgRep and closes: %s', async (_name, bytes, code) => {
    const { connect } = await start();
    const peer = await connect();
    peer.write(Uint8Array.from(bytes));
    const refusal = await peer.next();
    expect(refusal.framing).toBe('v10');
    expect(refusal.flags & FLAG_CLOSE).toBe(FLAG_CLOSE);
    expect(errorOf(refusal).errorCode).toBe(code);
    await peer.closed;
  });

  it('answers an empty pkiReq and an unexpected message type with errorMsgRep and keeps the connection', async () => {
    const { connect } = await start();
    const peer = await connect();
    peer.write(encodeFrame('v10', MessageType.pkiReq, new Uint8Array(0)));
    expect(errorOf(await peer.next())).toEqual({
      errorCode: TcpErrorCode.badRequest,
      text: 'empty pkiReq: it must carry a PKIMessage',
    });
    peer.write(encodeFrame('v10', MessageType.pkiRep, message(5)));
    expect(errorOf(await peer.next())).toEqual({
      errorCode: TcpErrorCode.badRequest,
      text: 'unexpected message type 5: send pkiReq or pollReq',
    });
    peer.write(encodeFrame('rfc2510', MessageType.partialMsgRep, message(5)));
    const rfc2510 = await peer.next();
    expect(rfc2510.framing).toBe('rfc2510');
    expect(errorOf(rfc2510)).toEqual({
      errorCode: undefined,
      text: 'unexpected message type 4: send pkiReq or pollReq',
    });
    peer.write(encodeFrame('v10', MessageType.pkiReq, message(5)));
    expect((await peer.next()).type).toBe(MessageType.pkiRep);
  });

  it('closes after answering a request that carries the close flag, and sets the flag on the answer', async () => {
    const { connect } = await start();
    const peer = await connect();
    peer.write(encodeFrame('v10', MessageType.pkiReq, message(5), FLAG_CLOSE));
    const answer = await peer.next();
    expect(answer.type).toBe(MessageType.pkiRep);
    expect(answer.flags & FLAG_CLOSE).toBe(FLAG_CLOSE);
    await peer.closed;
  });

  it('answers a rejecting handler with errorMsgRep "internal server error" and reports it to onError', async () => {
    const reported: Array<{ error: unknown; context: TcpRequestContext }> = [];
    const { connect, server } = await start({
      handle: async (request) => {
        if (request[1] === 0xee) throw new Error('secret detail');
        return answerTo(request);
      },
      onError: (error, context) => reported.push({ error, context }),
    });
    const peer = await connect();
    peer.write(encodeFrame('v10', MessageType.pkiReq, Uint8Array.of(0x30, 0xee)));
    expect(errorOf(await peer.next())).toEqual({
      errorCode: TcpErrorCode.internalError,
      text: 'internal server error',
    });
    expect(reported).toHaveLength(1);
    expect((reported[0]!.error as Error).message).toBe('secret detail');
    const [connection] = [...server.connections.values()];
    expect(reported[0]!.context.connectionId).toBe(connection!.id);
    peer.write(encodeFrame('v10', MessageType.pkiReq, message(4)));
    expect((await peer.next()).type).toBe(MessageType.pkiRep);
  });

  it('passes the connection id, the peer address and a signal that aborts when the peer leaves', async () => {
    const entered = deferred<TcpRequestContext>();
    const { connect, server } = await start({
      handle: (_request, context) => {
        entered.resolve(context);
        return new Promise(() => {});
      },
    });
    const peer = await connect();
    peer.write(encodeFrame('v10', MessageType.pkiReq, message(5)));
    const context = await entered.promise;
    const connection = server.connections.get(context.connectionId)!;
    expect(connection).toBeDefined();
    expect(context.remoteAddress).toBe(`127.0.0.1:${peer.socket.localPort}`);
    expect(connection.remoteAddress).toBe(context.remoteAddress);
    expect(context.signal.aborted).toBe(false);
    peer.socket.destroy();
    await connection.closed;
    expect(context.signal.aborted).toBe(true);
    expect(server.connections.size).toBe(0);
  });

  it('closes a connection idle for idleTimeoutMs, but not while a request is being handled', async () => {
    const { connect } = await start({
      idleTimeoutMs: 60,
      handle: async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return answerTo(request);
      },
    });
    const peer = await connect();
    peer.write(encodeFrame('v10', MessageType.pkiReq, message(5)));
    // The handler takes longer than the idle timeout; the answer still comes.
    expect((await peer.next()).type).toBe(MessageType.pkiRep);
    const idle = await connect();
    await idle.closed;
    await peer.closed;
  });

  it('refuses a frame that does not complete within readTimeoutMs', async () => {
    const { connect } = await start({ readTimeoutMs: 50 });
    const peer = await connect();
    peer.write(encodeFrame('v10', MessageType.pkiReq, message(100)).subarray(0, 20));
    const refusal = await peer.next();
    expect(errorOf(refusal).errorCode).toBe(TcpErrorCode.readTimeout);
    await peer.closed;
  });

  describe('TCP-level polling', () => {
    it('answers pollRep when the handler is slow, pollRep again while it works, then pkiRep for the pollReq', async () => {
      const release = deferred();
      const { connect } = await start({
        polling: { afterMs: 20, checkAfterSeconds: 3 },
        now: () => 1_700_000_000_500,
        handle: async (request) => {
          await release.promise;
          return answerTo(request);
        },
      });
      const peer = await connect();
      const request = message(30);
      peer.write(encodeFrame('v10', MessageType.pkiReq, request));
      const pollRep = await peer.next();
      expect(pollRep.type).toBe(MessageType.pollRep);
      const reference = readUint32(pollRep.value, 0)!;
      // Absolute time-to-check-back: seconds since 1970 of now + checkAfterSeconds.
      expect(readUint32(pollRep.value, 4)).toBe(1_700_000_003);
      peer.write(encodeFrame('v10', MessageType.pollReq, encodePollReq(reference)));
      const again = await peer.next();
      expect(again.type).toBe(MessageType.pollRep);
      expect(readUint32(again.value, 0)).toBe(reference);
      release.resolve();
      // Poll as a client would until the handler's answer is there (pollRep meanwhile).
      const answer = await waitUntil(async () => {
        peer.write(encodeFrame('v10', MessageType.pollReq, encodePollReq(reference)));
        const next = await peer.next();
        expect([MessageType.pollRep, MessageType.pkiRep]).toContain(next.type);
        return next.type === MessageType.pkiRep ? next : undefined;
      });
      expect(hex(answer.value)).toBe(hex(answerTo(request)));
      // A reference is answered once.
      peer.write(encodeFrame('v10', MessageType.pollReq, encodePollReq(reference)));
      expect(errorOf(await peer.next())).toEqual({
        errorCode: TcpErrorCode.unknownPollReference,
        text: `unknown polling reference ${reference}`,
      });
    });

    it('answers at once, without pollRep, a handler that is quick enough', async () => {
      const { connect } = await start({ polling: { afterMs: 1000 } });
      const peer = await connect();
      peer.write(encodeFrame('v10', MessageType.pkiReq, message(8)));
      expect((await peer.next()).type).toBe(MessageType.pkiRep);
    });
  });

  describe('push', () => {
    it('sends an announcement as a pkiReq frame, server to client, in the framing the client uses', async () => {
      const connected = deferred<TcpServerConnection>();
      const { connect } = await start({
        onConnection: (connection) => connected.resolve(connection),
      });
      const peer = await connect();
      const connection = await connected.promise;
      expect(connection.id).toMatch(/^tcp-\d+$/);
      expect(connection.framing).toBe('v10');
      const announcement = message(77, 9);
      await connection.push(announcement);
      const pushed = await peer.next();
      expect(pushed).toMatchObject({ framing: 'v10', type: MessageType.pkiReq, flags: 0 });
      expect(hex(pushed.value)).toBe(hex(announcement));

      peer.write(encodeFrame('rfc2510', MessageType.pkiReq, message(3)));
      expect((await peer.next()).framing).toBe('rfc2510');
      expect(connection.framing).toBe('rfc2510');
      await connection.push(announcement);
      expect(await peer.next()).toMatchObject({ framing: 'rfc2510', type: MessageType.pkiReq });
    });

    it('pushes while a request is being handled; the answer follows as pkiRep', async () => {
      const entered = deferred<string>();
      const release = deferred();
      const { connect, server } = await start({
        handle: async (request, context) => {
          entered.resolve(context.connectionId);
          await release.promise;
          return answerTo(request);
        },
      });
      const peer = await connect();
      peer.write(encodeFrame('v10', MessageType.pkiReq, message(6)));
      const connection = server.connections.get(await entered.promise)!;
      await connection.push(message(10, 4));
      release.resolve();
      expect((await peer.next()).type).toBe(MessageType.pkiReq);
      expect((await peer.next()).type).toBe(MessageType.pkiRep);
    });

    it('rejects a push on a closed connection with a TcpTransportError, and an empty one with TypeError', async () => {
      const connected = deferred<TcpServerConnection>();
      const { connect } = await start({
        onConnection: (connection) => connected.resolve(connection),
      });
      const peer = await connect();
      const connection = await connected.promise;
      await expect(connection.push(new Uint8Array(0))).rejects.toThrow(TypeError);
      peer.socket.destroy();
      await connection.closed;
      expectTcpTransportError(await rejection(connection.push(message(5))));
    });
  });

  it('validates its configuration', () => {
    const handle = async (request: Uint8Array) => request;
    expect(() => createTcpServer({ handle, maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => createTcpServer({ handle, idleTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => createTcpServer({ handle, polling: { afterMs: -1 } })).toThrow(RangeError);
    expect(() => createTcpServer({ handle, polling: { afterMs: 1, checkAfterSeconds: 0.5 } })).toThrow(RangeError);
    expect(() => createTcpServer({ handle: undefined as never })).toThrow(TypeError);
  });
});
