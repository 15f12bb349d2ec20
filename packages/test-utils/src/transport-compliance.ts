import type { CmpHandler, Transport } from '@cmpkit/core';
import { deferred, expectTransportError, rejection } from './async-assertions.js';
import { afterEach, describe, expect, it } from 'vitest';

/** A running server plus a client transport pointed at it, as a {@link TransportComplianceSetup} returns them. */
export interface TransportUnderTest {
  /** The client transport, talking to the server over loopback. */
  transport: Transport;
  /**
   * Destroys every open connection of the server at once without answering: the peer closing
   * early (`server.closeAllConnections()` on node:http, `socket.destroy()` on node:net, ...).
   */
  dropConnections(): void;
  /** Stops the server and frees everything; called after each test. */
  close(): Promise<void>;
}

/** The limits the setup must configure on both sides. */
export interface TransportComplianceLimits {
  /** The server's `maxMessageBytes` and the client's largest accepted answer. */
  maxMessageBytes: number;
}

/**
 * Starts a server on `127.0.0.1:0` serving `handler` with the given limits, and a client transport
 * pointed at it.
 */
export type TransportComplianceSetup = (handler: CmpHandler, limits: TransportComplianceLimits) => Promise<TransportUnderTest>;

/** Tuning of {@link transportCompliance}. */
export interface TransportComplianceOptions {
  /** The limit passed to the setup (default 512 KiB; at least 300 KiB, the largest round trip). */
  maxMessageBytes?: number;
}

const KiB = 1024;
/** Payload sizes of the round-trip test, 1 byte to 300 KiB. */
const ROUND_TRIP_SIZES = [1, 2, 127, 128, 1000, 16 * KiB, 64 * KiB + 1, 300 * KiB];
const CONCURRENT = 20;

/**
 * The compliance suite every cmpkit transport runs (STYLE.md P11): round trips of 1 byte to
 * 300 KiB, the size limit in both directions (exactly `maxMessageBytes` passes, one byte more is
 * refused, the handler never sees an oversize request), an abort mid-flight (rejects with the
 * signal's reason while the handler still works; the server serves the next request), a handler
 * that rejects, 20 requests in flight at once, and the peer closing the connection early. Every
 * failure must satisfy `isTransportError` and carry `code: 'CMP_ERR_TRANSPORT'`.
 *
 * The transport must carry 20 requests at once (the handler holds them all before answering).
 *
 * @example
 * ```ts
 * transportCompliance('node listener', async (handler, { maxMessageBytes }) => {
 *   const server = createServer(toNodeListener(handler, { maxMessageBytes }));
 *   ...
 *   return { transport, dropConnections: () => server.closeAllConnections(), close };
 * });
 * ```
 */
export function transportCompliance(name: string, setup: TransportComplianceSetup, options?: TransportComplianceOptions): void {
  const maxMessageBytes = options?.maxMessageBytes ?? 512 * KiB;
  if (maxMessageBytes < 300 * KiB) throw new RangeError('transportCompliance: maxMessageBytes must be at least 300 KiB');

  describe(`${name}: transport compliance`, () => {
    let running: TransportUnderTest | undefined;
    const start = async (handler: CmpHandler): Promise<Transport> => {
      running = await setup(handler, { maxMessageBytes });
      return running.transport;
    };
    afterEach(async () => {
      const current = running;
      running = undefined;
      await current?.close();
    });

    it.each(ROUND_TRIP_SIZES)('round-trips %i bytes', async (size) => {
      const seen: Uint8Array[] = [];
      const transport = await start(async (request) => {
        seen.push(request.slice());
        return answerTo(request);
      });
      const request = payload(size, 1);
      const answer = await transport.send(request);
      expect(seen).toHaveLength(1);
      expect(equal(seen[0]!, request)).toBe(true);
      expect(equal(answer, answerTo(request))).toBe(true);
    });

    it('carries a request and an answer of exactly maxMessageBytes', async () => {
      let received = 0;
      const transport = await start(async (request) => {
        received = request.byteLength;
        return payload(maxMessageBytes, 2);
      });
      const answer = await transport.send(payload(maxMessageBytes, 3));
      expect(received).toBe(maxMessageBytes);
      expect(equal(answer, payload(maxMessageBytes, 2))).toBe(true);
    });

    it('refuses a request over maxMessageBytes without calling the handler', async () => {
      const seen: number[] = [];
      const transport = await start(async (request) => {
        seen.push(request.byteLength);
        return answerTo(request);
      });
      expectTransportError(await rejection(transport.send(payload(maxMessageBytes + 1, 4))));
      expect(seen).toEqual([]);
      await expectServes(transport);
      expect(seen).toEqual([SMALL]);
    });

    it('refuses an answer over maxMessageBytes', async () => {
      const transport = await start(async (request) => (request[0] === MARK ? payload(maxMessageBytes + 1, 5) : answerTo(request)));
      expectTransportError(await rejection(transport.send(marked(100))));
      await expectServes(transport);
    });

    it('rejects with the abort reason while the handler still works, then serves the next request', async () => {
      const entered = deferred();
      const release = deferred();
      const transport = await start(async (request) => {
        if (request[0] === MARK) {
          entered.resolve();
          await release.promise;
        }
        return answerTo(request);
      });
      const controller = new AbortController();
      const reason = new Error('compliance: aborted by the test');
      const sending = transport.send(marked(1000), { signal: controller.signal });
      await entered.promise;
      controller.abort(reason);
      // The handler is still blocked on `release`: the rejection does not wait for it.
      expect(await rejection(sending)).toBe(reason);
      release.resolve();
      await expectServes(transport);
    });

    it('rejects with the reason of an already aborted signal without calling the handler', async () => {
      let calls = 0;
      const transport = await start(async (request) => {
        calls++;
        return answerTo(request);
      });
      const reason = new Error('compliance: aborted before sending');
      expect(await rejection(transport.send(payload(10, 6), { signal: AbortSignal.abort(reason) }))).toBe(reason);
      expect(calls).toBe(0);
    });

    it('turns a rejecting handler into a TransportError, then serves the next request', async () => {
      const transport = await start(async (request) => {
        if (request[0] === MARK) throw new Error('compliance: handler broke its contract');
        return answerTo(request);
      });
      const error = expectTransportError(await rejection(transport.send(marked(50))));
      expect(String(error.message)).not.toContain('handler broke its contract');
      await expectServes(transport);
    });

    it(`answers ${CONCURRENT} requests in flight at once, each with its own answer`, async () => {
      const arrived = deferred();
      const turns = Array.from({ length: CONCURRENT }, () => deferred());
      let count = 0;
      const transport = await start(async (request) => {
        const id = request[1]!;
        if (++count === CONCURRENT) arrived.resolve();
        await arrived.promise;
        // Answer in reverse order of the ids once all are in.
        if (id < CONCURRENT - 1) await turns[id + 1]!.promise;
        turns[id]!.resolve();
        return answerTo(request);
      });
      const requests = Array.from({ length: CONCURRENT }, (_, id) => {
        const request = payload(200 + id * 37, 7 + id);
        request[0] = 0;
        request[1] = id;
        return request;
      });
      const answers = await Promise.all(requests.map((r) => transport.send(r)));
      expect(count).toBe(CONCURRENT);
      answers.forEach((answer, id) => expect(equal(answer, answerTo(requests[id]!))).toBe(true));
    });

    it('turns the peer closing early into a TransportError, then serves the next request', async () => {
      const entered = deferred();
      const release = deferred();
      const transport = await start(async (request) => {
        if (request[0] === MARK) {
          entered.resolve();
          await release.promise;
        }
        return answerTo(request);
      });
      const sending = transport.send(marked(300));
      await entered.promise;
      running!.dropConnections();
      expectTransportError(await rejection(sending));
      release.resolve();
      await expectServes(transport);
    });
  });
}

/** First byte of a request the test's handler treats specially. */
const MARK = 0xee;
const SMALL = 64;

async function expectServes(transport: Transport): Promise<void> {
  const request = payload(SMALL, 9);
  expect(equal(await transport.send(request), answerTo(request))).toBe(true);
}

/** Deterministic bytes; never starting with {@link MARK}. */
function payload(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + seed * 29 + (i >>> 8) * 7) & 0xff;
  if (bytes[0] === MARK) bytes[0] = 0x30;
  return bytes;
}

function marked(size: number): Uint8Array {
  const bytes = payload(size, 8);
  bytes[0] = MARK;
  return bytes;
}

/** The answer the handlers give: the request reversed, each byte XOR 0xa5. */
function answerTo(request: Uint8Array): Uint8Array {
  const out = new Uint8Array(request.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = request[request.length - 1 - i]! ^ 0xa5;
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
