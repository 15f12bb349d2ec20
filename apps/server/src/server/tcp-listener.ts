import type { CmpHandler, ConnectionAdmission } from '@cmpkit/core';
import type { TlsOptions } from 'node:tls';
import { createTcpServer, type TcpServer, type TcpServerConnection } from '@cmpkit/transport-tcp';
import type { Logger } from '../log/logger.js';

/** A listening CMP-over-TCP server. */
export interface TcpListener {
  host: string;
  port: number;
  /** `tcp://host:port` (`tcps://` with TLS), what `cmpkit --server` takes. */
  url: string;
  /** The `node:net` server (`node:tls` with TLS). */
  server: TcpServer['server'];
  /** The open connections by id (`tcp-N`, the `connectionId` the handler sees). */
  readonly connections: ReadonlyMap<string, TcpServerConnection>;
  /** Stops listening and closes the connections. */
  close(): Promise<void>;
}

/** Serves `handle` over TCP (both framings) on `host:port`, over TLS with `tls`. */
export async function listenTcp(
  handle: CmpHandler,
  options: {
    host: string;
    port: number;
    maxMessageBytes: number;
    idleTimeoutSeconds: number;
    logger: Logger;
    admit?: ConnectionAdmission;
    tls?: TlsOptions;
  },
): Promise<TcpListener> {
  const server = createTcpServer({
    handle,
    maxMessageBytes: options.maxMessageBytes,
    idleTimeoutMs: options.idleTimeoutSeconds * 1000,
    onError: (error, context) => options.logger.error('handler failed', { error, peer: context.remoteAddress }),
    ...(options.admit ? { admit: options.admit } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const { port } = await server.listen(options.port, options.host);
  const hostText = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    host: options.host,
    port,
    url: `${options.tls ? 'tcps' : 'tcp'}://${hostText}:${port}`,
    server: server.server,
    connections: server.connections,
    close: () => server.close(),
  };
}
