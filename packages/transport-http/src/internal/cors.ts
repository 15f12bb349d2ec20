import type { CorsOptions } from '../server-options.js';

/** The request headers a browser's CMP client sends that are not CORS-safelisted: `Content-Type: application/pkixcmp`. */
const DEFAULT_ALLOWED_HEADERS = ['content-type'];
const DEFAULT_MAX_AGE_SECONDS = 600;

/** {@link CorsOptions} checked and with their defaults applied. */
export interface ResolvedCors {
  allows(origin: string): boolean;
  /** `'*'` for every origin, else the request's origin is echoed. */
  anyOrigin: boolean;
  allowedHeaders: string;
  maxAgeSeconds: number;
}

export function resolveCors(cors: CorsOptions | undefined): ResolvedCors | undefined {
  if (cors === undefined) return undefined;
  const { origins } = cors;
  let allows: (origin: string) => boolean;
  if (origins === '*') {
    allows = () => true;
  } else if (typeof origins === 'function') {
    allows = (origin) => origins(origin) === true;
  } else if (Array.isArray(origins)) {
    const set = new Set(origins.map((o) => normalizeOrigin(o)));
    allows = (origin) => set.has(origin);
  } else {
    throw new TypeError("http: cors.origins must be '*', a list of origins or a function");
  }
  const maxAgeSeconds = cors.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (!Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds < 0) {
    throw new RangeError(`http: cors.maxAgeSeconds must be a non-negative integer: ${maxAgeSeconds}`);
  }
  const headers = [...DEFAULT_ALLOWED_HEADERS, ...(cors.allowedHeaders ?? []).map((h) => h.trim().toLowerCase())];
  return { allows, anyOrigin: origins === '*', allowedHeaders: [...new Set(headers)].join(', '), maxAgeSeconds };
}

/**
 * `https://App.Example:443/` -> `https://app.example`: an origin as browsers send it (scheme,
 * host and a non-default port). A string that is no URL origin is refused at construction.
 */
function normalizeOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new TypeError(`http: cors.origins: not an origin: ${origin}`);
  }
  if (url.origin === 'null' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new TypeError(`http: cors.origins: not an origin (scheme://host[:port]): ${origin}`);
  }
  return url.origin;
}

/** The headers every answer to a request from `origin` carries (none for a refused or missing origin). */
export function corsHeaders(cors: ResolvedCors | undefined, origin: string | null): Record<string, string> {
  if (cors === undefined) return {};
  // Caches must keep answers to different origins apart, whether or not this one is allowed.
  const vary = cors.anyOrigin ? {} : { Vary: 'Origin' };
  if (origin === null || !cors.allows(origin)) return vary;
  return { 'Access-Control-Allow-Origin': cors.anyOrigin ? '*' : origin, ...vary };
}

/**
 * The CORS headers of the answer to a preflight (`OPTIONS` from an allowed origin): `POST` with
 * the allowed request headers, cached for `maxAgeSeconds`; `undefined` when the origin is not
 * allowed (the answer then carries none, and the browser does not send the request).
 */
export function preflightHeaders(cors: ResolvedCors, origin: string | null): Record<string, string> | undefined {
  if (origin === null || !cors.allows(origin)) return undefined;
  return {
    ...corsHeaders(cors, origin),
    'Access-Control-Allow-Methods': 'POST',
    'Access-Control-Allow-Headers': cors.allowedHeaders,
    'Access-Control-Max-Age': String(cors.maxAgeSeconds),
  };
}
