// The node:http adapter. It imports Node's types only, so loading this package in a browser or a
// worker costs nothing at run time; the declarations need `@types/node`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { CmpHandler, RequestContext } from '@cmpkit/core';
import { HttpTransportError } from './http-transport-error.js';
import { concat } from './internal/read-stream.js';
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

/** A `node:http` / `node:https` request listener, for `createServer(listener)` or `server.on('request', listener)`. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of {@link toNodeListener} and {@link toAnnouncementNodeListener}. */
export interface NodeListenerOptions extends HttpServerOptions {
  /**
   * When the TLS client's certificate goes into `RequestContext.tlsPeerCertificate`:
   * `'authorized'` (default) only when Node verified it against the server's `ca`
   * (`socket.authorized`); `'presented'` whenever the client presented one, verified or not
   * (for a server started with `requestCert: true, rejectUnauthorized: false` that checks the
   * certificate itself).
   */
  peerCertificate?: 'authorized' | 'presented';
  /**
   * Longest time the request body may take to arrive, in milliseconds (default 30 000). A slow
   * or truncated body is answered `408` and the connection closed, so no request hangs. (Also
   * set `server.headersTimeout` / `server.requestTimeout` on the node:http server for the
   * request head.)
   */
  bodyTimeoutMs?: number;
}

/**
 * Serves a CMP handler on `node:http` or `node:https` (RFC 9811): `POST` of `application/pkixcmp`
 * to the base path (default `/.well-known/cmp`, also `/.well-known/cmp/p/<label>`), answered
 * `200 application/pkixcmp` with the handler's bytes, CMP error messages included.
 *
 * Refusals that carry no PKIMessage: `404` (other path), `405` with `Allow: POST`, `415` (not
 * `application/pkixcmp`), `413` (over `maxMessageBytes`, from `Content-Length` or while reading;
 * the connection is closed), `500` with a generic text when the handler rejects (reported to
 * `onError`). With `cors`, pages of the allowed origins may call it from a browser (preflight
 * answered, CORS headers on every answer).
 *
 * The handler gets `{ remoteAddress: 'ip:port', path, tlsPeerCertificate?, signal }`; the signal
 * aborts when the client disconnects before its answer is written.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(toNodeListener(server.handle)).listen(8080, '127.0.0.1');
 * ```
 */
export function toNodeListener(handle: CmpHandler, options?: NodeListenerOptions): NodeListener {
  const resolved = resolveServerOptions(options);
  return nodeAdapter(cmpProcessor(handle, resolved), resolved, options?.peerCertificate ?? 'authorized', bodyTimeoutOf(options));
}

/**
 * Receives announcements a CA pushes over HTTP (RFC 9811 section 3.7) on `node:http`: a `POST` of
 * `application/pkixcmp`, handed as bytes to `onAnnouncement`, answered `201` (`'stored'`), `202`
 * (`'accepted'` or nothing) or `400` (`'rejected'`), always with an empty body. Same checks as
 * {@link toNodeListener}.
 */
export function toAnnouncementNodeListener(onAnnouncement: AnnouncementHandler, options?: NodeListenerOptions): NodeListener {
  const resolved = resolveServerOptions(options);
  return nodeAdapter(
    announcementProcessor(onAnnouncement, resolved),
    resolved,
    options?.peerCertificate ?? 'authorized',
    bodyTimeoutOf(options),
  );
}

function bodyTimeoutOf(options: NodeListenerOptions | undefined): number {
  const ms = options?.bodyTimeoutMs ?? 30_000;
  if (!(ms > 0)) throw new RangeError(`http: bodyTimeoutMs must be positive: ${ms}`);
  return ms;
}

function nodeAdapter(
  processBody: BodyProcessor,
  options: ResolvedServerOptions,
  peerCertificate: 'authorized' | 'presented',
  bodyTimeoutMs: number,
): NodeListener {
  return (req, res) => {
    req.on('error', () => {
      // A reset while the body streams in; the 'close' handler below aborts the exchange.
    });
    const origin = single(req.headers.origin);
    const respond = (reply: HttpReply) => writeReply(res, withCors(reply, origin, options));
    const head = checkHead(
      {
        method: req.method ?? '',
        pathname: pathnameOf(req.url),
        contentType: single(req.headers['content-type']),
        contentLength: single(req.headers['content-length']),
        origin,
      },
      options,
    );
    if (!('path' in head)) {
      respond(head);
      return;
    }
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished)
        controller.abort(new HttpTransportError('http: the client closed the connection before its answer was sent'));
    });
    const context = contextOf(req, head.path, controller.signal, peerCertificate);
    const timer = setTimeout(() => {
      req.removeAllListeners('data');
      req.removeAllListeners('end');
      respond({
        status: 408,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: new TextEncoder().encode('request body timed out'),
        close: true,
      });
      req.destroy();
    }, bodyTimeoutMs);
    timer.unref?.();
    readBody(req, options.maxMessageBytes, (body) => {
      clearTimeout(timer);
      if (body === undefined) {
        respond(tooLarge(options));
        return;
      }
      processBody(body, context).then(respond, () => respond({ status: 500, headers: {}, body: new Uint8Array(0) }));
    });
  };
}

/** Collects the body up to `limit` bytes; calls back with `undefined` when it grows past that. */
function readBody(req: IncomingMessage, limit: number, done: (body: Uint8Array | undefined) => void): void {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const onData = (chunk: Uint8Array): void => {
    total += chunk.byteLength;
    if (total > limit) {
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      done(undefined);
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => done(concat(chunks, total));
  req.on('data', onData);
  req.on('end', onEnd);
}

function writeReply(res: ServerResponse, reply: HttpReply): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string | number> = { ...reply.headers, 'Content-Length': reply.body.byteLength };
  if (reply.close) headers.Connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

function contextOf(req: IncomingMessage, path: string, signal: AbortSignal, peerCertificate: 'authorized' | 'presented'): RequestContext {
  const context: RequestContext = { path, signal };
  const socket = req.socket;
  if (socket.remoteAddress !== undefined) {
    const host = socket.remoteAddress.includes(':') ? `[${socket.remoteAddress}]` : socket.remoteAddress;
    context.remoteAddress = `${host}:${socket.remotePort ?? 0}`;
  }
  const tls = socket as Partial<Pick<TLSSocket, 'getPeerCertificate' | 'authorized'>>;
  if (typeof tls.getPeerCertificate === 'function' && (peerCertificate === 'presented' || tls.authorized === true)) {
    const raw = tls.getPeerCertificate(false)?.raw as Uint8Array | undefined;
    if (raw !== undefined && raw.byteLength > 0) context.tlsPeerCertificate = new Uint8Array(raw);
  }
  return context;
}

/** A plain origin-form target: `/`, segments of unreserved characters, no dot segments, no query. */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~]*)+$/;

/** The path of a request target (origin form `/a/b?q` or absolute form `http://h/a/b`). */
function pathnameOf(target: string | undefined): string {
  // The usual target is already its own pathname; only the others need URL parsing.
  if (target !== undefined && PLAIN_PATH.test(target)) return target;
  try {
    if (target === undefined) return '';
    // Origin form is resolved as a path even when it starts with '//'.
    return (target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target)).pathname;
  } catch {
    return '';
  }
}

function single(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
