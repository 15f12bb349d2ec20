import type { CmpHandler, RequestContext } from '@cmpkit/core';
import { readLimited } from './internal/read-stream.js';
import {
  announcementProcessor,
  type BodyProcessor,
  checkHead,
  cmpProcessor,
  type HttpReply,
  type ResolvedServerOptions,
  resolveServerOptions,
  tooLarge,
  withCors,
} from './internal/server-core.js';
import type { AnnouncementHandler, HttpServerOptions } from './server-options.js';

/**
 * What the host knows about the peer and hands to a {@link FetchHandler} as its second argument;
 * the Fetch API's `Request` carries neither. Values of any other type are ignored, so a runtime's
 * own second argument (Deno's `info`, a worker's `env`) does no harm.
 */
export interface FetchRequestInfo {
  /** The peer's address, e.g. `127.0.0.1:50123`. */
  remoteAddress?: string;
  /** The DER certificate of the TLS client, when the host authenticated one. */
  tlsPeerCertificate?: Uint8Array;
}

/** A Fetch-API server function: `Request` in, `Response` out (Node 20, Deno, Bun, workers). */
export type FetchHandler = (request: Request, info?: FetchRequestInfo) => Promise<Response>;

/**
 * Serves a CMP handler on the Fetch API (RFC 9811): `POST` of `application/pkixcmp` to the base
 * path (default `/.well-known/cmp`, also `/.well-known/cmp/p/<label>`), answered `200
 * application/pkixcmp` with the handler's bytes, CMP error messages included.
 *
 * Refusals that carry no PKIMessage: `404` (other path), `405` with `Allow: POST`, `415` (not
 * `application/pkixcmp`), `413` (over `maxMessageBytes`, from `Content-Length` or while reading),
 * `500` with a generic text when the handler rejects (reported to `onError`). With `cors`, pages
 * of the allowed origins may call it from a browser (preflight answered, CORS headers on every
 * answer).
 *
 * The handler gets `{ path, signal: request.signal }` plus what `info` tells: `path` is the part
 * after the base path (`''` or `'/p/<label>'`).
 *
 * @example
 * ```ts
 * const fetchHandler = toFetchHandler(server.handle);
 * Deno.serve((request, info) => fetchHandler(request, { remoteAddress: `${info.remoteAddr.hostname}:${info.remoteAddr.port}` }));
 * ```
 */
export function toFetchHandler(handle: CmpHandler, options?: HttpServerOptions): FetchHandler {
  const resolved = resolveServerOptions(options);
  return fetchAdapter(cmpProcessor(handle, resolved), resolved);
}

/**
 * Receives announcements a CA pushes over HTTP (RFC 9811 section 3.7) on the Fetch API: a `POST`
 * of `application/pkixcmp`, handed as bytes to `onAnnouncement`, answered `201` (`'stored'`),
 * `202` (`'accepted'` or nothing) or `400` (`'rejected'`), always with an empty body. Same path,
 * method, media type and size checks as {@link toFetchHandler}.
 */
export function toAnnouncementFetchHandler(onAnnouncement: AnnouncementHandler, options?: HttpServerOptions): FetchHandler {
  const resolved = resolveServerOptions(options);
  return fetchAdapter(announcementProcessor(onAnnouncement, resolved), resolved);
}

function fetchAdapter(processBody: BodyProcessor, options: ResolvedServerOptions): FetchHandler {
  return async (request, info) => {
    const origin = request.headers.get('origin');
    const respond = (reply: HttpReply) => toResponse(withCors(reply, origin, options), request);
    const head = checkHead(
      {
        method: request.method,
        pathname: new URL(request.url).pathname,
        contentType: request.headers.get('content-type'),
        contentLength: request.headers.get('content-length'),
        origin,
      },
      options,
    );
    if (!('path' in head)) return respond(head);
    let body: Uint8Array | undefined;
    try {
      body = await readLimited(request.body, options.maxMessageBytes);
    } catch {
      // The client went away or sent a broken body: nobody is left to read an answer.
      return respond({ status: 400, headers: {}, body: new Uint8Array(0) });
    }
    if (body === undefined) return respond(tooLarge(options));
    return respond(await processBody(body, contextOf(request, head.path, info)));
  };
}

function contextOf(request: Request, path: string, info: FetchRequestInfo | undefined): RequestContext {
  const context: RequestContext = { path, signal: request.signal };
  if (typeof info?.remoteAddress === 'string') context.remoteAddress = info.remoteAddress;
  if (info?.tlsPeerCertificate instanceof Uint8Array) context.tlsPeerCertificate = info.tlsPeerCertificate;
  return context;
}

function toResponse(reply: HttpReply, request: Request): Response {
  if (reply.close && request.body !== null && !request.bodyUsed) request.body.cancel().catch(() => {});
  const headers = new Headers(reply.headers);
  headers.set('Content-Length', String(reply.body.byteLength));
  return new Response(reply.body.byteLength === 0 ? null : reply.body, { status: reply.status, headers });
}
