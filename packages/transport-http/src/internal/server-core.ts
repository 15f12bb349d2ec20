import type { CmpHandler, RequestContext } from '@cmpkit/core';
import { type AnnouncementHandler, DEFAULT_MAX_MESSAGE_BYTES, type HttpServerOptions, WELL_KNOWN_CMP_PATH } from '../server-options.js';
import { corsHeaders, preflightHeaders, resolveCors, type ResolvedCors } from './cors.js';
import { isPkixCmp, PKIXCMP } from './media-type.js';

/** The HTTP answer an adapter writes: status, headers and body bytes. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
  /** The request body was not (fully) read: close the connection after answering. */
  close?: boolean;
}

/** The part of a request the checks look at before any body byte is read. */
export interface RequestHead {
  method: string;
  pathname: string;
  contentType: string | null;
  contentLength: string | null;
  /** The `Origin` header: a browser's request from a web page. */
  origin: string | null;
}

/** Turns the received body into the answer. */
export type BodyProcessor = (body: Uint8Array, context: RequestContext) => Promise<HttpReply>;

/** Server options with their defaults applied. */
export interface ResolvedServerOptions {
  basePath: string;
  maxMessageBytes: number;
  onError: ((error: unknown, context: RequestContext) => void) | undefined;
  cors: ResolvedCors | undefined;
}

export function resolveServerOptions(options: HttpServerOptions | undefined): ResolvedServerOptions {
  const basePath = options?.basePath ?? WELL_KNOWN_CMP_PATH;
  if (!basePath.startsWith('/')) throw new TypeError(`http: basePath must start with '/': ${basePath}`);
  const maxMessageBytes = options?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw new RangeError(`http: maxMessageBytes must be a positive integer: ${maxMessageBytes}`);
  }
  return { basePath: trimSlashes(basePath), maxMessageBytes, onError: options?.onError, cors: resolveCors(options?.cors) };
}

/**
 * The checks made before the body is read, in order: path (`404`), a CORS preflight when `cors`
 * is set (`204`, or `403` for an origin not allowed), method (`405` with `Allow`), media type
 * (`415`), announced length (`413`). Returns the reply to send, or the path relative to the base
 * path (`''` or `'/p/<label>'`) when the request may go on.
 */
export function checkHead(head: RequestHead, options: ResolvedServerOptions): HttpReply | { path: string } {
  const path = relativePath(head.pathname, options.basePath);
  if (path === undefined) return textReply(404, 'not found', { close: true });
  const allow = options.cors ? 'POST, OPTIONS' : 'POST';
  if (head.method === 'OPTIONS' && options.cors) {
    if (head.origin === null) return emptyReply(204, { Allow: allow });
    const preflight = preflightHeaders(options.cors, head.origin);
    if (preflight === undefined) return textReply(403, 'origin not allowed', { headers: { Vary: 'Origin' } });
    return emptyReply(204, { Allow: allow, ...preflight });
  }
  if (head.method !== 'POST') {
    return textReply(405, 'method not allowed: send a PKIMessage with POST', { close: true, headers: { Allow: allow } });
  }
  if (!isPkixCmp(head.contentType)) {
    return textReply(415, `unsupported media type: send ${PKIXCMP}`, { close: true });
  }
  if (head.contentLength !== null) {
    const length = Number(head.contentLength);
    if (!Number.isSafeInteger(length) || length < 0) return textReply(400, 'bad Content-Length', { close: true });
    if (length > options.maxMessageBytes) return tooLarge(options);
  }
  return { path };
}

/** `413`: the body is larger than `maxMessageBytes`. */
export function tooLarge(options: ResolvedServerOptions): HttpReply {
  return textReply(413, `message larger than ${options.maxMessageBytes} bytes`, { close: true });
}

/** Hands the body to a CMP handler and answers `200 application/pkixcmp` with its bytes. */
export function cmpProcessor(handle: CmpHandler, options: ResolvedServerOptions): BodyProcessor {
  return async (body, context) => {
    let answer: unknown;
    try {
      answer = await handle(body, context);
    } catch (error) {
      return internalError(error, context, options);
    }
    if (!(answer instanceof Uint8Array)) {
      return internalError(new TypeError('http: the CMP handler resolved to something other than a Uint8Array'), context, options);
    }
    return { status: 200, headers: { 'Content-Type': PKIXCMP, 'Cache-Control': 'no-store' }, body: new Uint8Array(answer) };
  };
}

/** Hands a pushed announcement to its handler and answers `201`, `202` or `400`, all without a body. */
export function announcementProcessor(onAnnouncement: AnnouncementHandler, options: ResolvedServerOptions): BodyProcessor {
  return async (body, context) => {
    let result: unknown;
    try {
      result = await onAnnouncement(body, context);
    } catch (error) {
      return internalError(error, context, options);
    }
    switch (result) {
      case 'stored':
        return emptyReply(201);
      case 'accepted':
      case undefined:
        return emptyReply(202);
      case 'rejected':
        return textReply(400, 'announcement rejected');
      default:
        return internalError(new TypeError(`http: the announcement handler resolved to ${String(result)}`), context, options);
    }
  };
}

/** The relative path of a request under `basePath`, or `undefined` when it is not ours. */
export function relativePath(pathname: string, basePath: string): string | undefined {
  const path = trimSlashes(pathname);
  if (path === basePath) return '';
  const prefix = `${basePath}/p/`;
  if (!path.startsWith(prefix)) return undefined;
  const label = path.slice(prefix.length);
  if (label === '' || label.includes('/')) return undefined;
  return `/p/${label}`;
}

function internalError(error: unknown, context: RequestContext, options: ResolvedServerOptions): HttpReply {
  try {
    options.onError?.(error, context);
  } catch {
    // onError must not throw; if it does, the client still gets its 500.
  }
  return textReply(500, 'internal server error');
}

function textReply(status: number, text: string, extra: { close?: boolean; headers?: Record<string, string> } = {}): HttpReply {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...extra.headers },
    body: new TextEncoder().encode(`${text}\n`),
    ...(extra.close ? { close: true } : {}),
  };
}

function emptyReply(status: number, headers: Record<string, string> = {}): HttpReply {
  return { status, headers, body: new Uint8Array(0) };
}

/** `reply` with the CORS headers of an answer to `origin` (nothing changes without `cors`). */
export function withCors(reply: HttpReply, origin: string | null, options: ResolvedServerOptions): HttpReply {
  if (options.cors === undefined) return reply;
  return { ...reply, headers: { ...corsHeaders(options.cors, origin), ...reply.headers } };
}

/** `'/a/b//'` -> `'/a/b'`, `'/'` -> `''`. */
function trimSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end--;
  return path.slice(0, end);
}
