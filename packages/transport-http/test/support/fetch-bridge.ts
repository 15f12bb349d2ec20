import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FetchHandler } from '../../src/index.js';

/**
 * Serves a Fetch-API handler on node:http, the way Deno or Bun would call it: the request body
 * streams in, `request.signal` aborts when the client goes away, and the peer's address is passed
 * as the second argument.
 */
export function fetchBridge(handler: FetchHandler): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('bridge: client went away'));
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
      signal: controller.signal,
      // @ts-expect-error Node's fetch needs `duplex` for a streamed body; the DOM typings lack it.
      duplex: 'half',
    });
    const remoteAddress = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    handler(request, { remoteAddress }).then(
      async (response) => {
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => (out[name] = value));
        res.writeHead(response.status, out);
        if (response.body !== null) {
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
        }
        res.end();
      },
      () => res.destroy(),
    );
  };
}
