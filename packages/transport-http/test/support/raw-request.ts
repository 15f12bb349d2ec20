import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One HTTP(S) request on its own connection, with full control of the headers. `body` may be
 * written in pieces; when `stopOnResponse`, writing stops as soon as the answer arrives.
 */
export function rawRequest(
  options: RequestOptions & { tls?: boolean },
  body: Uint8Array | readonly Uint8Array[] = [],
): Promise<RawResponse> {
  const { tls, ...rest } = options;
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)({ host: '127.0.0.1', agent: false, ...rest }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const pieces = body instanceof Uint8Array ? [body] : body;
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}
