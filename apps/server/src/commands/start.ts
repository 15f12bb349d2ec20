import type { CliEnvironment } from '../cli-environment.js';
import { lineLogger } from '../log/logger.js';
import { createCmpService } from '../server/cmp-service.js';
import { listenHttp } from '../server/http-listener.js';
import { listenTcp, type TcpListener } from '../server/tcp-listener.js';
import { attachWs, listenWs, type WsListener } from '../server/ws-listener.js';
import { withRequestLog } from '../server/request-log.js';
import { openServerContext } from '../server/server-context.js';
import { configOf, runtimeOf, type CommonOptions } from './command-context.js';
import { describeEnrollment, describeSetup } from './init.js';

/** Options of `cmpkit-server serve` (alias `start`). */
export interface StartOptions extends CommonOptions {
  port?: number;
  host?: string;
  /** Serve CMP over TCP on this port. */
  tcpPort?: number;
  /** Serve CMP over WebSocket on a port of its own (default: on the HTTP port). */
  wsPort?: number;
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // runs until the process is killed
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * `cmpkit-server serve` (alias `start`): creates the CA and the database on first start, serves CMP over HTTP,
 * revokes certificates whose confirmation never came, and stops gracefully when `env.signal`
 * aborts (SIGINT/SIGTERM): no new connections, open exchanges finish, the database is closed.
 */
export async function start(options: StartOptions, env: CliEnvironment): Promise<number> {
  const config = await configOf(options, env, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.tcpPort === undefined ? {} : { tcpPort: options.tcpPort }),
    ...(options.wsPort === undefined ? {} : { wsPort: options.wsPort }),
  });
  const { clock, crypto } = runtimeOf(env);
  const logger = lineLogger(env.stderr, config.logLevel, clock);
  const ctx = await openServerContext(config, { clock, crypto, logger });
  try {
    describeSetup(ctx, env);
    const service = createCmpService(ctx, logger);
    const handle = withRequestLog(service.handle, logger, clock);
    const http = await listenHttp(handle, { ...config.http, logger });
    const listeners: { tcp?: TcpListener; ws?: WsListener } = {};
    const closeListeners = async (): Promise<void> => {
      await Promise.all([listeners.ws?.close(), listeners.tcp?.close()]);
    };
    try {
      if (config.tcp.port !== null) {
        listeners.tcp = await listenTcp(handle, { ...config.tcp, port: config.tcp.port, maxMessageBytes: config.http.maxMessageBytes, logger });
        logger.info('listening', { url: listeners.tcp.url });
      }
      if (config.ws.enabled) {
        const wsOptions = { path: config.ws.path, maxMessageBytes: config.http.maxMessageBytes, logger };
        listeners.ws =
          config.ws.port === null
            ? attachWs(http.server, handle, { ...wsOptions, baseUrl: http.url })
            : await listenWs(handle, { ...wsOptions, host: config.ws.host, port: config.ws.port });
        logger.info('listening', { url: listeners.ws.url });
      }
    } catch (error) {
      await closeListeners();
      await http.close(0);
      throw error;
    }
    let sweeping: Promise<void> | undefined;
    const sweep = setInterval(() => {
      sweeping ??= service
        .expireTransactions()
        .then((n) => {
          if (n > 0) logger.info('revoked unconfirmed certificates', { transactions: n });
        })
        .catch((error: unknown) => logger.error('expiring transactions failed', { error }))
        .finally(() => {
          sweeping = undefined;
        });
    }, config.expirySweepSeconds * 1000);
    sweep.unref();
    logger.info('listening', { url: http.url, dataDir: config.dataDir });
    if (ctx.createdCa) describeEnrollment(ctx, http, env);
    env.onListening?.({
      host: http.host,
      port: http.port,
      url: http.url,
      ...(listeners.tcp ? { tcpUrl: listeners.tcp.url } : {}),
      ...(listeners.ws ? { wsUrl: listeners.ws.url } : {}),
    });

    await waitForAbort(env.signal);
    logger.info('shutting down');
    clearInterval(sweep);
    await closeListeners();
    await http.close();
    await sweeping;
    logger.info('stopped');
    return 0;
  } finally {
    ctx.close();
  }
}
