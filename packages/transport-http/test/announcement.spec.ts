import type { RequestContext } from '@cmpkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type AnnouncementHandler, type HttpServerOptions, toAnnouncementFetchHandler, toAnnouncementNodeListener } from '../src/index.js';
import { fixture } from './support/fixtures.js';
import { type Listening, listen } from './support/listen.js';

const GENP = fixture('der/openssl-3.0/genp.der');

interface Answer {
  status: number;
  type: string | null;
  body: Uint8Array;
}

type Post = (
  onAnnouncement: AnnouncementHandler,
  options: HttpServerOptions | undefined,
  init: { method?: string; path?: string; contentType?: string; body?: Uint8Array<ArrayBuffer> },
) => Promise<Answer>;

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const viaFetchHandler: Post = async (onAnnouncement, options, init) => {
  const method = init.method ?? 'POST';
  const response = await toAnnouncementFetchHandler(
    onAnnouncement,
    options,
  )(
    new Request(`http://repo.test${init.path ?? '/.well-known/cmp'}`, {
      method,
      headers: { 'Content-Type': init.contentType ?? 'application/pkixcmp' },
      body: method === 'GET' ? null : (init.body ?? GENP),
    }),
  );
  return { status: response.status, type: response.headers.get('content-type'), body: new Uint8Array(await response.arrayBuffer()) };
};

const viaNodeListener: Post = async (onAnnouncement, options, init) => {
  server = await listen(toAnnouncementNodeListener(onAnnouncement, options));
  const method = init.method ?? 'POST';
  const response = await fetch(server.url(init.path), {
    method,
    headers: { 'Content-Type': init.contentType ?? 'application/pkixcmp' },
    body: method === 'GET' ? null : (init.body ?? GENP),
  });
  return { status: response.status, type: response.headers.get('content-type'), body: new Uint8Array(await response.arrayBuffer()) };
};

describe.each([
  ['toAnnouncementFetchHandler', viaFetchHandler],
  ['toAnnouncementNodeListener', viaNodeListener],
])('%s', (_name, post) => {
  it('hands the bytes to the callback and answers 202 with an empty body', async () => {
    const got: [Uint8Array, RequestContext][] = [];
    const answer = await post(
      async (message, context) => {
        got.push([message.slice(), context]);
      },
      undefined,
      { path: '/.well-known/cmp/p/repo' },
    );
    expect(answer.status).toBe(202);
    expect(answer.body.byteLength).toBe(0);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]![0]).equals(Buffer.from(GENP))).toBe(true);
    expect(got[0]![1].path).toBe('/p/repo');
  });

  it.each([
    ['stored', 201],
    ['accepted', 202],
    ['rejected', 400],
  ] as const)("answers '%s' with %i", async (result, status) => {
    const answer = await post(() => result, undefined, {});
    expect(answer.status).toBe(status);
    if (status !== 400) expect(answer.body.byteLength).toBe(0);
  });

  it('answers 500 with a generic text and tells onError when the callback throws', async () => {
    const errors: unknown[] = [];
    const failure = new Error('repository down: password=x');
    const answer = await post(
      () => {
        throw failure;
      },
      { onError: (e) => errors.push(e) },
      {},
    );
    expect(answer.status).toBe(500);
    expect(new TextDecoder().decode(answer.body)).toBe('internal server error\n');
    expect(errors).toEqual([failure]);
  });

  it('answers 500 when the callback returns an unknown result', async () => {
    const errors: unknown[] = [];
    const answer = await post((() => 'maybe') as unknown as AnnouncementHandler, { onError: (e) => errors.push(e) }, {});
    expect(answer.status).toBe(500);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });

  it.each([
    [{ method: 'GET' }, 405],
    [{ contentType: 'application/json' }, 415],
    [{ path: '/announce' }, 404],
    [{ body: new Uint8Array(101) }, 413],
  ])('refuses %j with %i without calling the callback', async (init, status) => {
    let calls = 0;
    const answer = await post(
      () => {
        calls++;
      },
      { maxMessageBytes: 100 },
      init,
    );
    expect(answer.status).toBe(status);
    expect(calls).toBe(0);
  });
});
