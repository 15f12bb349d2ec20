import { HttpTransportError } from './http-transport-error.js';
import { PKIXCMP } from './internal/media-type.js';

/** The default time one POST may take: 30 s. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** Options of {@link postAnnouncement}. */
export interface PostAnnouncementOptions {
  /** The `fetch` to use (default `globalThis.fetch`), e.g. one with a TLS dispatcher. */
  fetch?: typeof globalThis.fetch;
  /** Extra request headers. `Content-Type` is always `application/pkixcmp`. */
  headers?: HeadersInit;
  /** How long the POST may take, in ms (default 30000; `Infinity` for none). */
  timeoutMs?: number;
  /** Aborts the POST; it then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Pushes one announcement (a DER PKIMessage the CA sends unasked) to a registered recipient URL,
 * RFC 9811 section 3.7 (RFC 6712 3.7): a POST with `Content-Type: application/pkixcmp`. Resolves
 * to `'stored'` on `201` and `'accepted'` on `202`, the two answers the RFC allows; rejects with
 * an {@link HttpTransportError} (with `status`) on any other answer, a redirect (not followed),
 * a connection failure or the timeout. The answer's body is ignored.
 *
 * @example
 * ```ts
 * const announcer = createAnnouncer({ ..., httpPush: { store: pushUrls, post: postAnnouncement } });
 * ```
 */
export async function postAnnouncement(
  url: string | URL,
  message: Uint8Array,
  options: PostAnnouncementOptions = {},
): Promise<'stored' | 'accepted'> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new TypeError(`http: the URL must be http: or https:, not ${target.protocol}`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchImpl !== 'function') throw new TypeError('http: no fetch: pass one in PostAnnouncementOptions.fetch');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`http: timeoutMs must be positive: ${timeoutMs}`);
  const signal = options.signal;
  signal?.throwIfAborted();
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        controller.abort(new HttpTransportError(`http: ${target.href} did not take the announcement within ${timeoutMs} ms`));
      }, timeoutMs)
    : undefined;
  try {
    const headers = new Headers(options.headers);
    headers.set('Content-Type', PKIXCMP);
    const response = await fetchImpl(target.href, {
      method: 'POST',
      headers,
      body: new Uint8Array(message),
      redirect: 'manual',
      signal: controller.signal,
    });
    response.body?.cancel().catch(() => {});
    if (response.status === 201) return 'stored';
    if (response.status === 202) return 'accepted';
    throw new HttpTransportError(`http: ${target.href} answered the announcement with HTTP ${response.status}, not 201 or 202`, {
      status: response.status,
    });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) throw controller.signal.reason;
    if (error instanceof HttpTransportError) throw error;
    throw new HttpTransportError(
      `http: posting the announcement to ${target.href} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
