import { createConnectionRateLimit, type CmpHandler, type ConnectionAdmission } from '@cmpkit/core';
import type { CliEnvironment } from '../cli-environment.js';
import type { ServerConfig } from '../config/server-config.js';
import { lineLogger, type Logger } from '../log/logger.js';
import { turnWriter } from '../log/turn-writer.js';
import { startAnnouncementService } from '../announce/announcement-service.js';
import { createCmpService } from '../server/cmp-service.js';
import { listenHttp } from '../server/http-listener.js';
import { listenTcp, type TcpListener } from '../server/tcp-listener.js';
import { attachWs, listenWs, type WsListener } from '../server/ws-listener.js';
import { COAP_WS_PATH } from '@cmpkit/transport-coap';
import { coapListenerFor, coapUrlsOf, type CoapListener } from '../server/coap-listener.js';
import { withRequestLog } from '../server/request-log.js';
import { clusterWorkerNumber, leaveCluster, reportListening, runClusterPrimary } from '../server/cluster.js';
import { openServerContext } from '../server/server-context.js';
import { configOf, runtimeOf, type CommonOptions } from './command-context.js';
import { describeEnrollment, describeSetup } from './init.js';
import { startRa } from './ra.js';

/** Options of `cmpkit-server serve` (alias `start`). */
export interface StartOptions extends CommonOptions {
  port?: number;
  host?: string;
  /** Serve CMP over TCP on this port. */
  tcpPort?: number;
  /** Serve CMP over WebSocket on a port of its own (default: on the HTTP port). */
  wsPort?: number;
  /** Serve CMP over CoAP (UDP and TCP) on this port. */
  coapPort?: number;
  /** Worker processes behind the listening ports (node:cluster). */
  workers?: number;
  /** `ca` (default) or `ra`. */
  role?: string;
  /** The CA's URL, for role ra. */
  upstream?: string;
}

/** One rate limit for new WebSocket and TCP connections together, as `admission` configures (per process). */
function admissionOf(config: ServerConfig): ConnectionAdmission | undefined {
  const { admission } = config;
  return admission ? createConnectionRateLimit({ perSecond: admission.connectionsPerSecond, burst: admission.burst }) : undefined;
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
 * WebSocket and (when configured) TCP, revokes certificates whose confirmation never came,
 * delivers announcements (pushed on the TCP/WebSocket connections where end entities
 * authenticated, POSTed to subscribers), and stops gracefully when `env.signal`
 * aborts (SIGINT/SIGTERM): no new connections, open exchanges finish, the database is closed.
 */
export async function start(options: StartOptions, env: CliEnvironment): Promise<number> {
  const config = await configOf(options, env, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.tcpPort === undefined ? {} : { tcpPort: options.tcpPort }),
    ...(options.wsPort === undefined ? {} : { wsPort: options.wsPort }),
    ...(options.coapPort === undefined ? {} : { coapPort: options.coapPort }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.role === undefined ? {} : { role: options.role }),
    ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
  });
  if (config.role === 'ra') return startRa(config, env);
  const log = turnWriter(env.stderr);
  const logger = lineLogger(log.write, config.logLevel, runtimeOf(env).clock);
  // A crash ends the process before the turn does: its last lines are written on the way out.
  process.on('exit', log.flush);
  try {
    const worker = clusterWorkerNumber();
    if (config.workers > 1 && worker === undefined) return await startPrimary(config, env, logger);
    try {
      return await serve(config, env, logger, worker);
    } finally {
      leaveCluster();
    }
  } finally {
    log.flush();
    process.off('exit', log.flush);
  }
}

/**
 * The primary of `serve --workers N`: creates the CA and the database once (so the workers do
 * not race to), prints what a first start prints, then runs the workers until `env.signal`.
 */
async function startPrimary(config: ServerConfig, env: CliEnvironment, logger: Logger): Promise<number> {
  const { clock, crypto } = runtimeOf(env);
  const ctx = await openServerContext(config, { clock, crypto, logger });
  try {
    describeSetup(ctx, env);
  } finally {
    await ctx.close();
  }
  const status = await runClusterPrimary({
    workers: config.workers,
    logger,
    ...(env.signal ? { signal: env.signal } : {}),
    onListening(address) {
      logger.info('listening', { url: address.url, dataDir: config.dataDir, workers: config.workers });
      if (ctx.createdCa) describeEnrollment(ctx, address, env);
      env.onListening?.(address);
    },
  });
  logger.info('stopped');
  return status;
}

/** One serving process: the only one, or worker `worker` of a cluster. */
async function serve(config: ServerConfig, env: CliEnvironment, logger: Logger, worker: number | undefined): Promise<number> {
  const { clock, crypto } = runtimeOf(env);
  const ctx = await openServerContext(config, { clock, crypto, logger });
  try {
    if (worker === undefined) describeSetup(ctx, env);
    // In a cluster the first worker prunes old announcements; every worker delivers to its connections.
    const announcements = await startAnnouncementService(ctx, logger, {
      onMaterialReloaded: () => {
        service = createCmpService(ctx, logger, hooks);
      },
      prunes: worker === undefined || worker === 1,
    });
    const hooks = { onAuthenticated: announcements.announcer.onAuthenticated };
    let service = createCmpService(ctx, logger, hooks);
    const admit = admissionOf(config);
    const listeners: { tcp?: TcpListener; ws?: WsListener; coap?: CoapListener } = {};
    // TCP, WebSocket and CoAP contexts carry the connection's push channel; the announcer keeps it.
    // ARCHITECTURE.md decision 6: what a request committed is durable before its answer leaves.
    const durable: CmpHandler = async (request, context) => {
      const mark = ctx.store.writeMark();
      const response = await service.handle(request, context);
      await ctx.store.flush(mark);
      return response;
    };
    const handle = withRequestLog(durable, logger, clock);
    const http = await listenHttp(handle, { ...config.http, logger });
    const closeListeners = async (): Promise<void> => {
      await Promise.all([listeners.ws?.close(), listeners.tcp?.close(), listeners.coap?.close()]);
    };
    try {
      if (config.tcp.port !== null) {
        listeners.tcp = await listenTcp(handle, {
          ...config.tcp,
          port: config.tcp.port,
          maxMessageBytes: config.http.maxMessageBytes,
          logger,
          ...(admit ? { admit } : {}),
        });
        logger.info('listening', { url: listeners.tcp.url });
      }
      if (config.ws.enabled) {
        const wsOptions = {
          path: config.ws.path,
          maxMessageBytes: config.http.maxMessageBytes,
          logger,
          ...(admit ? { admit } : {}),
          ...(config.coap.port !== null && config.coap.websocket ? { otherPaths: [COAP_WS_PATH] } : {}),
        };
        listeners.ws =
          config.ws.port === null
            ? attachWs(http.server, handle, { ...wsOptions, baseUrl: http.url })
            : await listenWs(handle, { ...wsOptions, host: config.ws.host, port: config.ws.port });
        logger.info('listening', { url: listeners.ws.url });
      }
      if (config.coap.port !== null) {
        listeners.coap = await coapListenerFor(handle, config, http, logger);
        logger.info('listening', { url: listeners.coap.url, tcpUrl: listeners.coap.tcpUrl, wsUrl: listeners.coap.wsUrl });
      }
    } catch (error) {
      await closeListeners();
      await http.close(0);
      await announcements.close();
      throw error;
    }
    // In a cluster the first worker sweeps; any worker may, since the records are in the store.
    let sweeping: Promise<void> | undefined;
    const sweep =
      worker === undefined || worker === 1
        ? setInterval(() => {
            sweeping ??= service
              .expireTransactions()
              .then((n) => {
                if (n > 0) logger.info('revoked unconfirmed certificates', { transactions: n });
              })
              .catch((error: unknown) => logger.error('expiring transactions failed', { error }))
              .finally(() => {
                sweeping = undefined;
              });
          }, config.expirySweepSeconds * 1000)
        : undefined;
    sweep?.unref();
    const address = {
      host: http.host,
      port: http.port,
      url: http.url,
      ...(listeners.tcp ? { tcpUrl: listeners.tcp.url } : {}),
      ...(listeners.ws ? { wsUrl: listeners.ws.url } : {}),
      ...coapUrlsOf(listeners.coap),
    };
    if (worker === undefined) {
      logger.info('listening', { url: http.url, dataDir: config.dataDir });
      if (ctx.createdCa) describeEnrollment(ctx, http, env);
      env.onListening?.(address);
    } else {
      logger.info('worker listening', { worker, pid: process.pid });
      reportListening(address);
    }

    await waitForAbort(env.signal);
    logger.info('shutting down', worker === undefined ? {} : { worker });
    clearInterval(sweep);
    await closeListeners();
    await announcements.close();
    await http.close();
    await sweeping;
    if (worker === undefined) logger.info('stopped');
    return 0;
  } finally {
    await ctx.close();
  }
}
