import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { httpTransport } from '../src/index.js';
import { expectHttpTransportError, rejection } from './support/expect-transport-error.js';
import { listen } from './support/listen.js';

const URL_ = 'http://ca.test/.well-known/cmp';
const DER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x02]);

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records its calls and answers with `respond`. */
function fakeFetch(respond: (call: Call) => Response | Promise<Response>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

function pkix(body: BodyInit | null, init: ResponseInit = {}): Response {
  return new Response(body, { status: 200, ...init, headers: { 'Content-Type': 'application/pkixcmp', ...init.headers } });
}

/** A body that yields `chunk`-sized pieces forever, counting pulls and noticing cancellation. */
function endless(chunk: number): { stream: ReadableStream<Uint8Array>; pulls: () => number; cancelled: () => boolean } {
  let pulls = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(chunk).fill(0x30));
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => pulls, cancelled: () => cancelled };
}

/** A fetch that never answers until its signal aborts, then rejects like fetch does. */
function hangingFetch(): typeof fetch {
  return ((_input: RequestInfo | URL, init?: RequestInit) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
    })) as typeof fetch;
}

describe('httpTransport: the request', () => {
  it('POSTs the bytes as application/pkixcmp, refusing redirects, with the extra headers', async () => {
    const { fetch, calls } = fakeFetch(() => pkix(DER));
    const transport = httpTransport({ url: URL_, fetch, headers: { Authorization: 'Bearer x', 'content-type': 'text/plain' } });
    await transport.send(new Uint8Array([0x30, 0x00]));
    expect(calls).toHaveLength(1);
    const { url, init } = calls[0]!;
    expect(url).toBe(URL_);
    expect(init.method).toBe('POST');
    expect(init.redirect).toBe('manual');
    expect(init.signal).toBeInstanceOf(AbortSignal);
    const headers = new Headers(init.headers);
    expect(headers.get('content-type')).toBe('application/pkixcmp');
    expect(headers.get('accept')).toBe('application/pkixcmp');
    expect(headers.get('authorization')).toBe('Bearer x');
    expect(Array.from(init.body as Uint8Array)).toEqual([0x30, 0x00]);
  });

  it('accepts a URL object and sends to it', async () => {
    const { fetch, calls } = fakeFetch(() => pkix(DER));
    await httpTransport({ url: new URL('https://ca.test/.well-known/cmp/p/tls'), fetch }).send(DER);
    expect(calls[0]!.url).toBe('https://ca.test/.well-known/cmp/p/tls');
  });

  it('refuses a URL that is not http: or https:, and bad limits', () => {
    expect(() => httpTransport({ url: 'ftp://ca.test/cmp' })).toThrow(TypeError);
    expect(() => httpTransport({ url: 'not a url' })).toThrow(TypeError);
    expect(() => httpTransport({ url: URL_, timeoutMs: 0 })).toThrow(RangeError);
    expect(() => httpTransport({ url: URL_, maxResponseBytes: 0 })).toThrow(RangeError);
    expect(() => httpTransport({ url: URL_, maxResponseBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('httpTransport: the answer', () => {
  it('resolves to the body of a 200 application/pkixcmp answer', async () => {
    const { fetch } = fakeFetch(() => pkix(DER));
    expect(Array.from(await httpTransport({ url: URL_, fetch }).send(DER))).toEqual(Array.from(DER));
  });

  it('accepts the media type in any case and with parameters', async () => {
    const { fetch } = fakeFetch(() => new Response(DER, { headers: { 'Content-Type': 'Application/PKIXCMP; foo=bar' } }));
    expect(Array.from(await httpTransport({ url: URL_, fetch }).send(DER))).toEqual(Array.from(DER));
  });

  it('refuses a redirect, naming the Location, and does not follow it', async () => {
    const { fetch, calls } = fakeFetch(() => new Response(null, { status: 301, headers: { Location: 'https://elsewhere.test/cmp' } }));
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch }).send(DER)));
    expect(error.status).toBe(301);
    expect(error.message).toContain('"https://elsewhere.test/cmp"');
    expect(error.message).toContain('redirects are not followed');
    expect(calls).toHaveLength(1);
  });

  it('refuses a browser opaque redirect', async () => {
    const opaque = { type: 'opaqueredirect', status: 0, statusText: '', headers: new Headers(), body: null } as unknown as Response;
    const { fetch } = fakeFetch(() => opaque);
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch }).send(DER)));
    expect(error.message).toContain('redirect');
  });

  it.each([
    [500, 'text/plain; charset=utf-8', 'internal server error\n', 'HTTP 500: internal server error'],
    [503, 'text/plain', 'busy\u0000\u001b[31m now', 'HTTP 503: busy [31m now'],
    [404, 'text/html', '<h1>nope</h1>', 'HTTP 404'],
    [202, 'application/pkixcmp', '0', 'HTTP 202'],
  ])('refuses status %i', async (status, type, body, expected) => {
    const { fetch } = fakeFetch(() => new Response(body, { status, headers: { 'Content-Type': type } }));
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch }).send(DER)));
    expect(error.status).toBe(status);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('<h1>');
  });

  it('keeps a text/plain error detail short', async () => {
    const { fetch } = fakeFetch(() => new Response('x'.repeat(5000), { status: 400, headers: { 'Content-Type': 'text/plain' } }));
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch }).send(DER)));
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toMatch(/x{200}\.\.\.$/);
  });

  it.each([
    ['a wrong content type', 'text/html', 'Content-Type "text/html", expected application/pkixcmp'],
    ['a near miss', 'application/pkixcmp-poll', 'Content-Type "application/pkixcmp-poll"'],
    ['no content type', undefined, 'no Content-Type, expected application/pkixcmp'],
  ])('refuses %s', async (_what, type, expected) => {
    const response = new Response(DER, { status: 200 });
    response.headers.delete('content-type');
    if (type !== undefined) response.headers.set('content-type', type);
    const { fetch } = fakeFetch(() => response);
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch }).send(DER)));
    expect(error.message).toContain(expected);
    expect(error.status).toBe(200);
  });

  it('refuses an empty body', async () => {
    const { fetch } = fakeFetch(() => pkix(null));
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch }).send(DER)));
    expect(error.message).toContain('empty body');
  });

  it('refuses an announced Content-Length over maxResponseBytes without reading the body', async () => {
    const body = endless(1024);
    const { fetch } = fakeFetch(() => pkix(body.stream, { headers: { 'Content-Length': '2049' } }));
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch, maxResponseBytes: 2048 }).send(DER)));
    expect(error.message).toContain('2049 bytes, more than maxResponseBytes (2048)');
    expect(body.pulls()).toBe(0);
    expect(body.cancelled()).toBe(true);
  });

  it('stops reading a body that streams past maxResponseBytes', async () => {
    const body = endless(64 * 1024);
    const { fetch } = fakeFetch(() => pkix(body.stream));
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch, maxResponseBytes: 256 * 1024 }).send(DER)));
    expect(error.message).toContain('exceeds maxResponseBytes (262144)');
    expect(body.pulls()).toBeLessThanOrEqual(6);
    expect(body.cancelled()).toBe(true);
  });

  it('accepts a body of exactly maxResponseBytes', async () => {
    const { fetch } = fakeFetch(() => pkix(new Uint8Array(4096).fill(0x30)));
    expect((await httpTransport({ url: URL_, fetch, maxResponseBytes: 4096 }).send(DER)).byteLength).toBe(4096);
  });

  it('wraps a fetch failure, keeping the cause', async () => {
    const cause = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    const fetch = (async () => {
      throw cause;
    }) as typeof globalThis.fetch;
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch }).send(DER)));
    expect(error.cause).toBe(cause);
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(`http: request to ${URL_} failed: fetch failed (connect ECONNREFUSED 127.0.0.1:9)`);
  });
});

describe('httpTransport: abort and timeout', () => {
  it('rejects with the reason of an already aborted signal without fetching', async () => {
    const { fetch, calls } = fakeFetch(() => pkix(DER));
    const reason = new Error('stop');
    expect(await rejection(httpTransport({ url: URL_, fetch }).send(DER, { signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(calls).toHaveLength(0);
  });

  it('rejects with the signal reason, unwrapped, when aborted in flight', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const sending = httpTransport({ url: URL_, fetch: hangingFetch() }).send(DER, { signal: controller.signal });
    controller.abort(reason);
    expect(await rejection(sending)).toBe(reason);
  });

  it('turns a timeout into a TransportError', async () => {
    const error = expectHttpTransportError(await rejection(httpTransport({ url: URL_, fetch: hangingFetch(), timeoutMs: 20 }).send(DER)));
    expect(error.message).toBe(`http: no answer from ${URL_} within 20 ms`);
  });

  it('prefers the caller abort to a timeout that fires later', async () => {
    const controller = new AbortController();
    const reason = new Error('first');
    const sending = httpTransport({ url: URL_, fetch: hangingFetch(), timeoutMs: 60_000 }).send(DER, { signal: controller.signal });
    controller.abort(reason);
    expect(await rejection(sending)).toBe(reason);
  });
});

describe('httpTransport over node:http', () => {
  it('does not follow a real 302 and names its Location', async () => {
    const hits: string[] = [];
    const server = await listen((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/.well-known/cmp') {
        res.writeHead(302, { Location: '/moved' }).end();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/pkixcmp' }).end(Buffer.from(DER));
      }
    });
    try {
      const error = expectHttpTransportError(await rejection(httpTransport({ url: server.url() }).send(DER)));
      expect(error.status).toBe(302);
      expect(error.message).toContain('"/moved"');
      expect(hits).toEqual(['/.well-known/cmp']);
    } finally {
      await server.close();
    }
  });

  /** A server that sends the headers and half a body, then stalls. */
  async function stalling() {
    const server = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/pkixcmp', 'Content-Length': '100' });
      res.write(Buffer.alloc(50, 0x30));
    }, createServer());
    return server;
  }

  it('rejects with the signal reason when aborted while the body streams in', async () => {
    const server = await stalling();
    try {
      const controller = new AbortController();
      const reason = new Error('enough');
      const transport = httpTransport({
        url: server.url(),
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          controller.abort(reason);
          return response;
        },
      });
      expect(await rejection(transport.send(DER, { signal: controller.signal }))).toBe(reason);
    } finally {
      await server.close();
    }
  });

  it('times out while the body streams in', async () => {
    const server = await stalling();
    try {
      const error = expectHttpTransportError(await rejection(httpTransport({ url: server.url(), timeoutMs: 50 }).send(DER)));
      expect(error.message).toContain('within 50 ms');
    } finally {
      await server.close();
    }
  });

  it('reports a refused connection as a TransportError', async () => {
    const server = await listen(() => {});
    const url = server.url();
    await server.close();
    const error = expectHttpTransportError(await rejection(httpTransport({ url }).send(DER)));
    expect(error.message).toContain(`request to ${url} failed`);
  });
});
