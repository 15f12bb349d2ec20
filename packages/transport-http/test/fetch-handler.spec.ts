import type { CmpHandler, RequestContext } from '@cmpkit/core';
import { describe, expect, it } from 'vitest';
import { type HttpServerOptions, toFetchHandler } from '../src/index.js';

const BASE = 'http://ca.test';
const DER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x02]);
const ANSWER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]);

function post(path: string, body: BodyInit | null = DER, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/pkixcmp', ...headers },
    body,
    // @ts-expect-error Node's fetch needs `duplex` for a streamed body; the DOM typings lack it.
    duplex: 'half',
  });
}

/** A handler recording what it got. */
function recorder(answer: (request: Uint8Array) => Promise<Uint8Array> = async () => ANSWER) {
  const calls: { request: Uint8Array; context: RequestContext | undefined }[] = [];
  const handle: CmpHandler = async (request, context) => {
    calls.push({ request: request.slice(), context });
    return answer(request);
  };
  return { handle, calls };
}

async function bytes(response: Response): Promise<number[]> {
  return Array.from(new Uint8Array(await response.arrayBuffer()));
}

describe('toFetchHandler', () => {
  it('answers 200 application/pkixcmp with the handler bytes', async () => {
    const { handle, calls } = recorder();
    const request = post('/.well-known/cmp');
    const response = await toFetchHandler(handle)(request);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pkixcmp');
    expect(response.headers.get('content-length')).toBe(String(ANSWER.byteLength));
    expect(await bytes(response)).toEqual(Array.from(ANSWER));
    expect(calls).toHaveLength(1);
    expect(Array.from(calls[0]!.request)).toEqual(Array.from(DER));
    expect(calls[0]!.context).toEqual({ path: '', signal: request.signal });
  });

  it('passes the peer info the host gives, and ignores values of other types', async () => {
    const { handle, calls } = recorder();
    const cert = new Uint8Array([0x30, 0x00]);
    const handler = toFetchHandler(handle);
    await handler(post('/.well-known/cmp'), { remoteAddress: '192.0.2.1:4711', tlsPeerCertificate: cert });
    // What Deno.serve passes as its second argument.
    const denoInfo = { remoteAddr: { hostname: '192.0.2.1', port: 1 }, completed: Promise.resolve() };
    await handler(post('/.well-known/cmp'), denoInfo as never);
    await handler(post('/.well-known/cmp'), { remoteAddress: 42, tlsPeerCertificate: 'pem' } as never);
    expect(calls[0]!.context).toMatchObject({ remoteAddress: '192.0.2.1:4711', tlsPeerCertificate: cert });
    expect(Object.keys(calls[1]!.context!).sort()).toEqual(['path', 'signal']);
    expect(Object.keys(calls[2]!.context!).sort()).toEqual(['path', 'signal']);
  });

  it.each([
    ['/.well-known/cmp', ''],
    ['/.well-known/cmp/', ''],
    ['/.well-known/cmp?x=1', ''],
    ['/.well-known/cmp/p/tls', '/p/tls'],
    ['/.well-known/cmp/p/tls/', '/p/tls'],
    ['/.well-known/cmp/p/ca%201', '/p/ca%201'],
    ['/.well-known/cmp/x/../p/tls', '/p/tls'],
  ])('serves %s with context.path %j', async (path, expected) => {
    const { handle, calls } = recorder();
    expect((await toFetchHandler(handle)(post(path))).status).toBe(200);
    expect(calls[0]!.context?.path).toBe(expected);
  });

  it.each([
    '/',
    '/cmp',
    '/.well-known/cmpx',
    '/.well-known/cmp/p',
    '/.well-known/cmp/p/',
    '/.well-known/cmp/p/a/b',
    '/.well-known/cmp/initialization',
    '/.well-known',
  ])('answers 404 on %s without calling the handler', async (path) => {
    const { handle, calls } = recorder();
    const response = await toFetchHandler(handle)(post(path));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(calls).toHaveLength(0);
  });

  it.each<[HttpServerOptions['basePath'], string, number, string | undefined]>([
    ['/cmp', '/cmp', 200, ''],
    ['/cmp/', '/cmp/p/x', 200, '/p/x'],
    ['/cmp', '/.well-known/cmp', 404, undefined],
    ['/', '/', 200, ''],
    ['/', '/p/x', 200, '/p/x'],
    ['/', '/other', 404, undefined],
  ])('with basePath %j serves %s with %i', async (basePath, path, status, expected) => {
    const { handle, calls } = recorder();
    expect((await toFetchHandler(handle, { basePath: basePath! })(post(path))).status).toBe(status);
    expect(calls[0]?.context?.path).toBe(expected);
  });

  it.each(['GET', 'PUT', 'HEAD', 'OPTIONS'])('answers 405 with Allow: POST to %s', async (method) => {
    const { handle, calls } = recorder();
    const response = await toFetchHandler(handle)(new Request(`${BASE}/.well-known/cmp`, { method }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['no content type', undefined],
    ['text/plain', 'text/plain'],
    ['application/octet-stream', 'application/octet-stream'],
    ['application/pkixcmp-poll', 'application/pkixcmp-poll'],
  ])('answers 415 to %s', async (_what, type) => {
    const { handle, calls } = recorder();
    const request = new Request(`${BASE}/.well-known/cmp`, { method: 'POST', body: DER });
    request.headers.delete('content-type');
    if (type !== undefined) request.headers.set('content-type', type);
    const response = await toFetchHandler(handle)(request);
    expect(response.status).toBe(415);
    expect(await response.text()).toContain('application/pkixcmp');
    expect(calls).toHaveLength(0);
  });

  it('accepts the media type in any case and with parameters', async () => {
    const { handle } = recorder();
    const response = await toFetchHandler(handle)(post('/.well-known/cmp', DER, { 'Content-Type': 'APPLICATION/pkixcmp ; x=y' }));
    expect(response.status).toBe(200);
  });

  it('answers 413 to a Content-Length over maxMessageBytes without reading the body', async () => {
    const { handle, calls } = recorder();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({ pull: (c) => void (pulls++, c.enqueue(new Uint8Array(1024))) }, { highWaterMark: 0 });
    const response = await toFetchHandler(handle, { maxMessageBytes: 1000 })(post('/.well-known/cmp', body, { 'Content-Length': '1001' }));
    expect(response.status).toBe(413);
    expect(await response.text()).toBe('message larger than 1000 bytes\n');
    expect(pulls).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it('answers 413 to a body that streams past maxMessageBytes, reading little of it', async () => {
    const { handle, calls } = recorder();
    let pulls = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>(
      { pull: (c) => void (pulls++, c.enqueue(new Uint8Array(1024).fill(0x30))), cancel: () => void (cancelled = true) },
      { highWaterMark: 0 },
    );
    const response = await toFetchHandler(handle, { maxMessageBytes: 4096 })(post('/.well-known/cmp', body));
    expect(response.status).toBe(413);
    expect(pulls).toBeLessThanOrEqual(6);
    expect(cancelled).toBe(true);
    expect(calls).toHaveLength(0);
  });

  it('answers 400 to a Content-Length that is not a number', async () => {
    const { handle, calls } = recorder();
    const response = await toFetchHandler(handle)(post('/.well-known/cmp', DER, { 'Content-Length': 'abc' }));
    expect(response.status).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it('accepts a body of exactly maxMessageBytes', async () => {
    const { handle, calls } = recorder();
    const response = await toFetchHandler(handle, { maxMessageBytes: 4096 })(post('/.well-known/cmp', new Uint8Array(4096)));
    expect(response.status).toBe(200);
    expect(calls[0]!.request.byteLength).toBe(4096);
  });

  it('answers 500 with a generic text when the handler rejects, telling only onError', async () => {
    const failure = new Error('db password is hunter2');
    const errors: [unknown, RequestContext][] = [];
    const handler = toFetchHandler(async () => Promise.reject(failure), { onError: (e, c) => errors.push([e, c]) });
    const response = await handler(post('/.well-known/cmp/p/x'), { remoteAddress: '192.0.2.9:1' });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text).toBe('internal server error\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe(failure);
    expect(errors[0]![1]).toMatchObject({ path: '/p/x', remoteAddress: '192.0.2.9:1' });
  });

  it('answers 500 when the handler resolves to something other than bytes, and survives a throwing onError', async () => {
    const errors: unknown[] = [];
    const handle = (async () => 'not bytes') as unknown as CmpHandler;
    const handler = toFetchHandler(handle, {
      onError: (e) => {
        errors.push(e);
        throw new Error('onError broke too');
      },
    });
    const response = await handler(post('/.well-known/cmp'));
    expect(response.status).toBe(500);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });

  it('does not let the handler see or change the buffers behind the answer', async () => {
    const answer = new Uint8Array([0x30, 0x01, 0x00]);
    const response = await toFetchHandler(async () => answer)(post('/.well-known/cmp'));
    answer[2] = 0xff;
    expect(await bytes(response)).toEqual([0x30, 0x01, 0x00]);
  });

  it('refuses bad options', () => {
    const { handle } = recorder();
    expect(() => toFetchHandler(handle, { basePath: 'cmp' })).toThrow(TypeError);
    expect(() => toFetchHandler(handle, { maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => toFetchHandler(handle, { maxMessageBytes: Number.NaN })).toThrow(RangeError);
  });
});
