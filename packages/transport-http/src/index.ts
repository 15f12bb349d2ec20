/**
 * @packageDocumentation
 * `@cmpkit/transport-http`: CMP over HTTP (RFC 9811, which obsoletes RFC 6712). The client is a
 * `Transport` on the Fetch API; the server side adapts a `CmpHandler` to the Fetch API
 * (`Request -> Response`, for Node 20, Deno, Bun and workers) and to `node:http`/`node:https`.
 * It moves bytes only: it never decodes CMP, never retries and never maps errors to PKIStatus.
 *
 * Everything is exported from `'.'`. The `node:http` listener uses Node's types only (no Node
 * module is loaded at run time), so the package also loads in browsers; its declarations refer
 * to `@types/node`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { httpTransport, toNodeListener } from '@cmpkit/transport-http';
 *
 * // server: a CMP handler on http://127.0.0.1:8080/.well-known/cmp
 * createServer(toNodeListener(server.handle)).listen(8080, '127.0.0.1');
 *
 * // client
 * const transport = httpTransport({ url: 'http://127.0.0.1:8080/.well-known/cmp' });
 * const answer = await transport.send(requestDer);
 * ```
 */
export { httpTransport } from './http-transport.js';
export type { HttpTransportInit } from './http-transport.js';
export { HttpTransportError } from './http-transport-error.js';
export { toAnnouncementFetchHandler, toFetchHandler } from './fetch-handler.js';
export type { FetchHandler, FetchRequestInfo } from './fetch-handler.js';
export { toAnnouncementNodeListener, toNodeListener } from './node-listener.js';
export type { NodeListener, NodeListenerOptions } from './node-listener.js';
export { postAnnouncement } from './post-announcement.js';
export type { PostAnnouncementOptions } from './post-announcement.js';
export { WELL_KNOWN_CMP_PATH } from './server-options.js';
export type { AnnouncementHandler, AnnouncementResult, CorsOptions, HttpServerOptions } from './server-options.js';
