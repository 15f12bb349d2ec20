import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { CmpHandler } from '@cmpkit/core';
import { toNodeListener } from '@cmpkit/transport-http';
import type { Logger } from '../log/logger.js';
import type { HttpRoute } from '../ops/health-endpoints.js';

/** A listening HTTP server. */
export interface HttpListener {
  host: string;
  port: number;
  /** The CMP endpoint, e.g. `http://127.0.0.1:8080/.well-known/cmp` (`https:` with TLS). */
  url: string;
  /** The Node server (WebSocket upgrades attach to it); a `node:https` server with TLS. */
  server: Server;
  /**
   * Stops accepting connections, lets open exchanges finish, then closes the idle connections;
   * after `graceMs` the remaining ones are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves `handle` on HTTP (RFC 9811), or HTTPS with `tls`, at `host:port` under `path` (and `path/p/<profile>`), and on
 * the root `/` (and `/p/<profile>`) too: `/` is the path `openssl cmp` uses when `-path` is not
 * given. A path that is neither is answered `404` by the root listener. `route` (health
 * endpoints) sees every request first. With `corsOrigins`, pages of those origins may call it from a
 * browser.
 */
export async function listenHttp(
  handle: CmpHandler,
  options: {
    host: string;
    port: number;
    path: string;
    maxMessageBytes: number;
    corsOrigins: readonly string[];
    logger: Logger;
    tls?: TlsOptions;
    route?: HttpRoute;
  },
): Promise<HttpListener> {
  const common = {
    maxMessageBytes: options.maxMessageBytes,
    onError: (error: unknown) => options.logger.error('handler failed', { error }),
    ...(options.corsOrigins.length === 0
      ? {}
      : { cors: { origins: options.corsOrigins.includes('*') ? ('*' as const) : options.corsOrigins } }),
  };
  const primary = toNodeListener(handle, { ...common, basePath: options.path });
  const root = toNodeListener(handle, { ...common, basePath: '/' });
  const base = trimSlashes(options.path);
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (options.route?.(req, res)) return;
    const path = pathOf(req.url);
    const ours = base === '' || path === base || path.startsWith(`${base}/`);
    (ours ? primary : root)(req, res);
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, serve) : createServer(serve);
  // A client that fails the TLS handshake (wrong trust, no client certificate) costs its connection only.
  server.on('tlsClientError', (error: Error) => options.logger.debug('TLS handshake failed', { error: error.message }));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostText = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    host: address.address,
    port: address.port,
    url: `${options.tls ? 'https' : 'http'}://${hostText}:${address.port}${options.path}`,
    server,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** The path of a request target without query and trailing slashes (`''` for the root). */
function pathOf(target: string | undefined): string {
  const path = (target ?? '').split('?', 1)[0] ?? '';
  return trimSlashes(path.startsWith('/') ? path : safePathname(path));
}

function safePathname(target: string): string {
  try {
    return new URL(target).pathname;
  } catch {
    return '';
  }
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}
