import type { CmpHandler } from '@cmpkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpServerOptions, toAnnouncementNodeListener, toFetchHandler, toNodeListener } from '../src/index.js';
import { fetchBridge } from './support/fetch-bridge.js';
import { type Listening, listen } from './support/listen.js';

const DER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x02]);
const ANSWER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]);
const PAGE = 'http://app.example:5173';
const handle: CmpHandler = async () => ANSWER;

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const adapters = {
  toNodeListener: (options?: HttpServerOptions) => toNodeListener(handle, options),
  toFetchHandler: (options?: HttpServerOptions) => fetchBridge(toFetchHandler(handle, options)),
};

function preflight(url: string, origin: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type', ...headers },
  });
}

function post(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/pkixcmp', ...headers }, body: DER });
}

describe.each(Object.entries(adapters))('%s with cors', (_name, adapter) => {
  async function serve(options?: HttpServerOptions): Promise<Listening> {
    server = await listen(adapter(options));
    return server;
  }

  it('answers the preflight of an allowed origin: POST with Content-Type, cached', async () => {
    const { url } = await serve({ cors: { origins: [PAGE, 'https://other.example'] } });
    const response = await preflight(url(), PAGE);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toBe('Origin');
    expect(await response.arrayBuffer()).toHaveProperty('byteLength', 0);
    // Profile paths too.
    expect((await preflight(url('/.well-known/cmp/p/device'), PAGE)).status).toBe(204);
  });

  it('refuses the preflight of another origin with 403 and no CORS headers', async () => {
    const { url } = await serve({ cors: { origins: [PAGE] } });
    const response = await preflight(url(), 'http://evil.example');
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('puts Access-Control-Allow-Origin on the CMP answer and on refusals, for allowed origins only', async () => {
    const { url } = await serve({ cors: { origins: [PAGE] } });
    const ok = await post(url(), { Origin: PAGE });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pkixcmp');
    expect(ok.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(Array.from(new Uint8Array(await ok.arrayBuffer()))).toEqual(Array.from(ANSWER));

    const refused = await fetch(url(), { method: 'POST', headers: { Origin: PAGE, 'Content-Type': 'text/plain' }, body: 'x' });
    expect(refused.status).toBe(415);
    expect(refused.headers.get('access-control-allow-origin')).toBe(PAGE);

    const other = await post(url(), { Origin: 'http://evil.example' });
    expect(other.status).toBe(200); // served: CORS only limits what a page may read
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
  });

  it("allows any origin with '*', a decision function, and extra request headers", async () => {
    const { url } = await serve({ cors: { origins: '*', allowedHeaders: ['Authorization'], maxAgeSeconds: 60 } });
    const any = await preflight(url(), 'http://whoever.example', { 'Access-Control-Request-Headers': 'authorization, content-type' });
    expect(any.status).toBe(204);
    expect(any.headers.get('access-control-allow-origin')).toBe('*');
    expect(any.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
    expect(any.headers.get('access-control-max-age')).toBe('60');
    expect((await post(url(), { Origin: 'http://whoever.example' })).headers.get('access-control-allow-origin')).toBe('*');
    await server!.close();

    const decided = await serve({ cors: { origins: (origin) => origin.endsWith('.example.com') } });
    expect((await preflight(decided.url(), 'https://a.example.com')).status).toBe(204);
    expect((await preflight(decided.url(), 'https://example.org')).status).toBe(403);
  });

  it('answers OPTIONS without Origin with the allowed methods, and other methods 405', async () => {
    const { url } = await serve({ cors: { origins: [PAGE] } });
    const options = await fetch(url(), { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('POST, OPTIONS');
    const get = await fetch(url(), { headers: { Origin: PAGE } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    expect(get.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect((await preflight(url('/elsewhere'), PAGE)).status).toBe(404);
  });

  it('sends no CORS headers and refuses OPTIONS with 405 without the setting', async () => {
    const { url } = await serve();
    const response = await preflight(url(), PAGE);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const ok = await post(url(), { Origin: PAGE });
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
    expect(ok.headers.get('vary')).toBeNull();
  });
});

describe('cors settings', () => {
  it('refuses what is not an origin at construction', () => {
    expect(() => toNodeListener(handle, { cors: { origins: ['https://app.example/path'] } })).toThrow(TypeError);
    expect(() => toNodeListener(handle, { cors: { origins: ['app.example'] } })).toThrow(TypeError);
    expect(() => toFetchHandler(handle, { cors: { origins: [PAGE], maxAgeSeconds: -1 } })).toThrow(RangeError);
  });

  it('normalizes listed origins as browsers send them', async () => {
    server = await listen(toNodeListener(handle, { cors: { origins: ['HTTPS://App.Example:443/'] } }));
    expect((await preflight(server.url(), 'https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('applies to the announcement receiver too', async () => {
    server = await listen(toAnnouncementNodeListener(() => 'stored', { cors: { origins: [PAGE] } }));
    expect((await preflight(server.url(), PAGE)).status).toBe(204);
    const stored = await post(server.url(), { Origin: PAGE });
    expect(stored.status).toBe(201);
    expect(stored.headers.get('access-control-allow-origin')).toBe(PAGE);
  });
});
