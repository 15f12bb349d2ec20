import type { RequestContext } from '@cmpkit/core';

/** The well-known path of a CMP server (RFC 9811 section 3.6, RFC 8615). */
export const WELL_KNOWN_CMP_PATH = '/.well-known/cmp';

/** The default cap on a received PKIMessage: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Options of the server adapters ({@link toFetchHandler}, `toNodeListener` and the announcement receivers). */
export interface HttpServerOptions {
  /**
   * The path the adapter answers on (default `'/.well-known/cmp'`). It also answers on
   * `<basePath>/p/<label>` (one path segment), with or without a trailing slash (RFC 9811
   * section 3.6); every other path is `404`. `'/'` answers on the root.
   */
  basePath?: string;
  /**
   * The largest request body accepted, in bytes (default 1 MiB). A larger `Content-Length`, or
   * a body that grows past it while it is read, is answered `413` before the body is buffered.
   */
  maxMessageBytes?: number;
  /**
   * Told about a failure the client never sees in detail: the handler rejected or resolved to
   * something other than bytes (a contract violation, answered `500` with a generic text). It
   * must not throw; if it does, that is ignored.
   */
  onError?: (error: unknown, context: RequestContext) => void;
  /**
   * Lets web pages of other origins use the endpoint from a browser (CORS). Without it the
   * adapter sends no CORS headers and answers `OPTIONS` with `405`, so browsers allow only pages
   * of the server's own origin.
   */
  cors?: CorsOptions;
}

/**
 * Cross-origin access for browsers (the Fetch standard's CORS protocol). A CMP request is a
 * `POST` of `application/pkixcmp`, which is not a CORS-safelisted content type, so the browser
 * first sends a preflight `OPTIONS`; it is answered `204` for an allowed origin (allowing `POST`
 * and the `Content-Type` header) and `403` otherwise. Every other answer to an allowed origin,
 * refusals included, carries `Access-Control-Allow-Origin` so that the page can read its status.
 * Requests from other origins are still served (CORS restricts what a browser lets a page read;
 * CMP messages carry their own protection), just without CORS headers.
 */
export interface CorsOptions {
  /**
   * Who may call: `'*'` (any origin; answered `Access-Control-Allow-Origin: *`), a list of
   * origins (`'https://app.example'`, `'http://localhost:5173'`; scheme, host and port, no path),
   * or a function deciding on the request's `Origin` header.
   */
  origins: '*' | readonly string[] | ((origin: string) => boolean);
  /** Request headers allowed besides `Content-Type`, e.g. `['Authorization']` for `httpTransport({ headers })`. */
  allowedHeaders?: readonly string[];
  /** How long a browser may cache a preflight answer, in seconds (default 600). */
  maxAgeSeconds?: number;
}

/**
 * What the receiver of a pushed announcement (RFC 9811 section 3.7: caKeyUpdAnn, certAnn, rann,
 * crlAnn) decided: `'stored'` (stored or already present: `201 Created`), `'accepted'` (only
 * accepted for further processing: `202 Accepted`) or `'rejected'` (`400 Bad Request`). Every
 * answer has an empty body.
 */
export type AnnouncementResult = 'stored' | 'accepted' | 'rejected';

/**
 * Receives the DER of a pushed announcement PKIMessage, as it came (the adapter decodes
 * nothing). Resolving to nothing means `'accepted'`.
 */
export type AnnouncementHandler = (
  message: Uint8Array,
  context: RequestContext,
) => Promise<AnnouncementResult | undefined | void> | AnnouncementResult | undefined | void;
