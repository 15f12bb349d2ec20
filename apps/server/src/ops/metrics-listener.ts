import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';

/** A listening metrics endpoint. */
export interface MetricsListener {
  /** `http://host:port/metrics`. */
  url: string;
  close(): Promise<void>;
}

/** Input of {@link listenMetrics}. */
export interface MetricsListenerInit {
  host: string;
  port: number;
  /** The text exposition and its content type (prom-client's `registry.metrics()`, or the cluster's). */
  collect(): Promise<{ contentType: string; body: string }>;
  logger: Logger;
}

/**
 * Serves Prometheus metrics at `GET /metrics` on a listener of its own (so they stay off the CMP
 * port); other paths are 404, other methods 405. A failed collection is 500 and logged.
 */
export async function listenMetrics(init: MetricsListenerInit): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '').split('?', 1)[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    init.collect().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        init.logger.error('collecting metrics failed', { error });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(init.port, init.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
