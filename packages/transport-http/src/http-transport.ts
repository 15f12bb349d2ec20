import type { Transport, TransportSendOptions } from '@cmpkit/core';
import { HttpTransportError } from './http-transport-error.js';
import { isPkixCmp, PKIXCMP } from './internal/media-type.js';
import { readLimited, readPrefix } from './internal/read-stream.js';

/** The default time an exchange may take: 30 s. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** The default cap on a received PKIMessage: 1 MiB. */
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Configuration of {@link httpTransport}. */
export interface HttpTransportInit {
  /** The CMP server's URL, e.g. `https://ca.example/.well-known/cmp/p/tls`. `http:` or `https:`. */
  url: string | URL;
  /**
   * The `fetch` to use (default `globalThis.fetch`). Pass your own for TLS client certificates or
   * private CAs (on Node: a `fetch` that sets an undici `dispatcher`), proxies or logging.
   */
  fetch?: typeof globalThis.fetch;
  /** Extra request headers (say `Authorization`). `Content-Type` is always `application/pkixcmp`. */
  headers?: HeadersInit;
  /** How long one exchange may take, answer body included, in ms (default 30000; `Infinity` for none). */
  timeoutMs?: number;
  /** The largest answer accepted, in bytes (default 1 MiB); enforced while the body streams in. */
  maxResponseBytes?: number;
}

/**
 * A `Transport` that POSTs each DER PKIMessage to a CMP server over HTTP (RFC 9811) with
 * `Content-Type: application/pkixcmp` and resolves to the DER of the answer.
 *
 * It uses only the Fetch API, so it runs in browsers, workers, Deno, Bun and Node. It follows no
 * redirect (a `3xx` is an error naming the `Location`) and never retries. It rejects with an
 * {@link HttpTransportError} when the answer is not `200` with `Content-Type:
 * application/pkixcmp` and a non-empty body of at most `maxResponseBytes`, when the connection
 * fails, or when `timeoutMs` passes; with `signal.reason` when the caller's signal aborts.
 *
 * @example
 * ```ts
 * const transport = httpTransport({ url: 'https://ca.example/.well-known/cmp' });
 * const answer = await transport.send(requestDer, { signal: AbortSignal.timeout(10_000) });
 * ```
 */
export function httpTransport(init: HttpTransportInit): Transport {
  const url = new URL(init.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`http: the URL must be http: or https:, not ${url.protocol}`);
  }
  const target = url.href;
  const fetchImpl = init.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchImpl !== 'function') throw new TypeError('http: no fetch: pass one in HttpTransportInit.fetch');
  const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`http: timeoutMs must be positive: ${timeoutMs}`);
  const maxResponseBytes = init.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
    throw new RangeError(`http: maxResponseBytes must be a positive integer: ${maxResponseBytes}`);
  }
  const extraHeaders = init.headers;

  return {
    async send(request: Uint8Array, options?: TransportSendOptions): Promise<Uint8Array> {
      const signal = options?.signal;
      signal?.throwIfAborted();
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let timedOut = false;
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            timedOut = true;
            controller.abort(new HttpTransportError(`http: no answer from ${target} within ${timeoutMs} ms`));
          }, timeoutMs)
        : undefined;
      try {
        const headers = new Headers(extraHeaders);
        headers.set('Content-Type', PKIXCMP);
        if (!headers.has('Accept')) headers.set('Accept', PKIXCMP);
        const response = await fetchImpl(target, {
          method: 'POST',
          headers,
          body: new Uint8Array(request),
          redirect: 'manual',
          signal: controller.signal,
        });
        return await readAnswer(response, target, maxResponseBytes);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (timedOut) throw controller.signal.reason;
        if (error instanceof HttpTransportError) throw error;
        throw new HttpTransportError(`http: request to ${target} failed: ${describe(error)}`, { cause: error });
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

async function readAnswer(response: Response, target: string, maxResponseBytes: number): Promise<Uint8Array> {
  const status = response.status;
  if (response.type === 'opaqueredirect') {
    discard(response);
    throw new HttpTransportError(`http: ${target} answered with a redirect; redirects are not followed`, { status });
  }
  if (status >= 300 && status < 400) {
    discard(response);
    const location = response.headers.get('location');
    throw new HttpTransportError(
      `http: ${target} answered ${status} redirecting to ${location === null ? '(no Location)' : JSON.stringify(location)}; redirects are not followed`,
      { status },
    );
  }
  if (status !== 200) {
    const detail = await textSnippet(response);
    throw new HttpTransportError(
      `http: ${target} answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${detail ? `: ${detail}` : ''}`,
      { status },
    );
  }
  const contentType = response.headers.get('content-type');
  if (!isPkixCmp(contentType)) {
    discard(response);
    throw new HttpTransportError(
      `http: ${target} answered with ${contentType === null ? 'no Content-Type' : `Content-Type ${JSON.stringify(contentType)}`}, expected ${PKIXCMP}`,
      { status },
    );
  }
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > maxResponseBytes) {
    discard(response);
    throw new HttpTransportError(
      `http: the answer from ${target} has ${declared} bytes, more than maxResponseBytes (${maxResponseBytes})`,
      { status },
    );
  }
  const body = await readLimited(response.body, maxResponseBytes);
  if (body === undefined) {
    throw new HttpTransportError(`http: the answer from ${target} exceeds maxResponseBytes (${maxResponseBytes})`, { status });
  }
  if (body.byteLength === 0) throw new HttpTransportError(`http: ${target} answered 200 with an empty body`, { status });
  return body;
}

/** Up to 200 characters of a `text/plain` error body, control characters removed. */
async function textSnippet(response: Response): Promise<string> {
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.toLowerCase().startsWith('text/plain')) {
    discard(response);
    return '';
  }
  try {
    const bytes = await readPrefix(response.body, 800);
    const decoded = new TextDecoder().decode(bytes);
    // eslint-disable-next-line no-control-regex
    const text = decoded.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
  } catch {
    return '';
  }
}

function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
