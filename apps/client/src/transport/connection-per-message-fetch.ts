import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { Readable } from 'node:stream';

/** Statuses whose responses have no body (Fetch: "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/**
 * A `fetch` for `httpTransport` that sends every message on a connection of its own and closes
 * it after the answer (`Connection: close`), as `openssl cmp` does.
 *
 * Why the CLI does not keep connections alive: the OpenSSL 3.0 server (`openssl cmp -port`)
 * serves one connection at a time. While a transaction is open it waits for the next message on
 * the connection it has; once the transaction ends it closes that connection although it
 * answered `keep-alive`. A pooling client that sends the certConf on a new connection (Node's
 * fetch does when the answer was read before the socket went back to its pool) is never read
 * and the transaction is dropped; one that reuses the pooled connection for the next transaction
 * finds it closed. Which of the two happens depends on timing. A connection per message is what
 * that server expects, and costs a CLI one TCP handshake per message.
 */
export const connectionPerMessageFetch: typeof fetch = createConnectionPerMessageFetch();

/**
 * {@link connectionPerMessageFetch} with TLS settings for `https:` URLs: `ca` (the roots the
 * server certificate must chain to), `cert`/`key` (a client certificate), `servername`.
 */
export function createConnectionPerMessageFetch(tls: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'servername'> = {}): typeof fetch {
  return (input, init) => sendOnce(input, init, tls);
}

function sendOnce(input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1], tls: RequestOptions): Promise<Response> {
  return new Promise((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = init?.body;
    if (body !== undefined && body !== null && !(body instanceof Uint8Array)) {
      reject(new TypeError('connectionPerMessageFetch sends byte bodies only'));
      return;
    }
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    headers.connection = 'close';
    headers['content-length'] = String(body?.byteLength ?? 0);
    const request = send(
      url,
      {
        method: init?.method ?? 'GET',
        headers,
        agent: false,
        ...(url.protocol === 'https:' ? tls : {}),
        ...(init?.signal ? { signal: init.signal } : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const stream = NULL_BODY_STATUSES.has(status) ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
        if (stream === null) response.resume();
        try {
          resolve(new Response(stream, { status, statusText: response.statusMessage ?? '', headers: headersOf(response) }));
        } catch (error) {
          response.destroy();
          reject(error);
        }
      },
    );
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}
