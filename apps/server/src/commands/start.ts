import type { Server as HttpsServer } from 'node:https';
import type { Server as TlsServer, TlsOptions } from 'node:tls';
import { createConnectionRateLimit, type CmpHandler, type ConnectionAdmission } from '@cmpkit/core';
import type { CliEnvironment } from '../cli-environment.js';
import type { ServerConfig } from '../config/server-config.js';
import type { Logger } from '../log/logger.js';
import { formatLogger } from '../log/format-logger.js';
import { transactionLogger } from '../log/transaction-logger.js';
import { turnWriter } from '../log/turn-writer.js';
import { startAnnouncementService } from '../announce/announcement-service.js';
import { announceRevocation } from '../announce/holder-announcements.js';
import { clusterMetricsCollector, shareWorkerMetrics } from '../ops/cluster-metrics.js';
import { healthEndpoints } from '../ops/health-endpoints.js';
import { listenMetrics, type MetricsListener } from '../ops/metrics-listener.js';
import { observeStore } from '../ops/observed-store.js';
import { certificatesCheck, databaseCheck } from '../ops/readiness-checks.js';
import { createServerMetrics } from '../ops/server-metrics.js';
import { createCmpService } from '../server/cmp-service.js';
import { withCommandLineSecrets, type CommandLineSecret } from '../server/command-line-secrets.js';
import { createExchangeObserver } from '../server/exchange-observer.js';
import { createExchangeScope } from '../server/exchange-scope.js';
import { listenHttp } from '../server/http-listener.js';
import { readyLine } from '../server/ready-line.js';
import { listenTcp, type TcpListener } from '../server/tcp-listener.js';
import { attachWs, listenWs, type WsListener } from '../server/ws-listener.js';
import { COAP_WS_PATH } from '@cmpkit/transport-coap';
import { coapListenerFor, coapUrlsOf, type CoapListener } from '../server/coap-listener.js';
import { runHousekeeping } from '../server/housekeeping.js';
import {
  clusterPorts,
  clusterWorkerNumber,
  leaveCluster,
  reportListening,
  runClusterPrimary,
  type ClusterAddress,
} from '../server/cluster.js';
import { openServerContext } from '../server/server-context.js';
import { keepTlsFresh, openServerTls } from '../tls/server-tls.js';
import { configOf, runtimeOf, type CommonOptions } from './command-context.js';
import { describeEnrollment, describeSetup } from './init.js';
import { prepareRa, startRa } from './ra.js';
import type { Serving } from './serving.js';

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
  /** TLS on every listener. */
  tls?: boolean;
  /** How the RA passes requests on (role ra). */
  raMode?: string;
  /** `text` or `json`. */
  logFormat?: string;
  /** Serve Prometheus metrics on this port. */
  metricsPort?: number;
  /** Shared secrets of this process, in front of the stored ones (`--secret REF:pass:TEXT`). */
  secrets?: readonly CommandLineSecret[];
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
  const config = withClusterPorts(
    await configOf(options, env, {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.tcpPort === undefined ? {} : { tcpPort: options.tcpPort }),
      ...(options.wsPort === undefined ? {} : { wsPort: options.wsPort }),
      ...(options.coapPort === undefined ? {} : { coapPort: options.coapPort }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(options.role === undefined ? {} : { role: options.role }),
      ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
      ...(options.tls ? { tls: true } : {}),
      ...(options.raMode === undefined ? {} : { raMode: options.raMode }),
      ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }),
      ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
    }),
  );
  const log = turnWriter(env.stderr);
  const scope = createExchangeScope();
  const logger = transactionLogger(
    formatLogger(config.logFormat, log.write, config.logLevel, runtimeOf(env).clock),
    () => scope.current()?.transactionID,
  );
  const serving: Serving = { logger, scope, secrets: options.secrets ?? [] };
  // A crash ends the process before the turn does: its last lines are written on the way out.
  process.on('exit', log.flush);
  try {
    const worker = clusterWorkerNumber();
    if (worker === undefined && isSupervised(config, env)) return await startPrimary(config, env, logger);
    try {
      return config.role === 'ra' ? await startRa(config, env, serving, worker) : await serve(config, env, serving, worker);
    } finally {
      leaveCluster();
    }
  } finally {
    log.flush();
    process.off('exit', log.flush);
  }
}

/** In a worker the primary restarted after every worker had died: listen on the ports the cluster had. */
function withClusterPorts(config: ServerConfig): ServerConfig {
  const ports = clusterPorts();
  if (!ports) return config;
  return {
    ...config,
    http: { ...config.http, port: ports.http },
    tcp: { ...config.tcp, port: config.tcp.port === null ? null : (ports.tcp ?? config.tcp.port) },
    ws: { ...config.ws, port: config.ws.port === null ? null : (ports.ws ?? config.ws.port) },
    coap: { ...config.coap, port: config.coap.port === null ? null : (ports.coap ?? config.coap.port) },
  };
}

/**
 * Whether this `serve` is the supervising primary: always with `--workers` above 1; with one
 * worker (the default) when the environment asks for supervision (the bin does); never with
 * `--workers 0`, which serves in this process (for a process manager that restarts it itself).
 */
function isSupervised(config: ServerConfig, env: CliEnvironment): boolean {
  return config.workers > 1 || (config.workers === 1 && env.supervise === true);
}

/**
 * The supervising primary of `serve` (one worker by default, `--workers N`): creates the CA and
 * the database once (so the workers do not race to), prints what a first start prints, then runs
 * and restarts the workers until `env.signal`.
 */
async function startPrimary(config: ServerConfig, env: CliEnvironment, logger: Logger): Promise<number> {
  const { clock, crypto } = runtimeOf(env);
  let onFirstListen: (address: ClusterAddress) => void = () => {};
  if (config.role === 'ra') {
    await prepareRa(config, env);
  } else {
    const ctx = await openServerContext(config, { clock, crypto, logger, progress: (text) => env.stderr(`${text}...\n`) });
    try {
      describeSetup(ctx, env);
    } finally {
      await ctx.close();
    }
    if (ctx.createdCa) onFirstListen = (address) => describeEnrollment(ctx, address, env);
  }
  let metrics: MetricsListener | undefined;
  try {
    if (config.metrics.port !== null) {
      metrics = await listenMetrics({ ...config.metrics, port: config.metrics.port, collect: clusterMetricsCollector(), logger });
    }
    const metricsUrl = metrics?.url;
    const status = await runClusterPrimary({
      workers: config.workers,
      logger,
      ...(env.signal ? { signal: env.signal } : {}),
      onListening(workerAddress) {
        const address = { ...workerAddress, ...(metricsUrl ? { metricsUrl } : {}) };
        logger.info('listening', { url: address.url, dataDir: config.dataDir, workers: config.workers });
        onFirstListen(address);
        env.stdout(readyLine(config.role === 'ra' ? 'ra' : 'ca', address, config.dataDir));
        env.onListening?.(address);
      },
    });
    logger.info('stopped');
    return status;
  } finally {
    await metrics?.close();
  }
}

/** One serving process: the only one, or worker `worker` of a cluster. */
async function serve(config: ServerConfig, env: CliEnvironment, serving: Serving, worker: number | undefined): Promise<number> {
  const { logger, scope } = serving;
  const { clock, crypto } = runtimeOf(env);
  const metrics = config.metrics.port === null ? undefined : createServerMetrics();
  const ctx = await openServerContext(config, {
    clock,
    crypto,
    logger,
    progress: (text) => env.stderr(`${text}...\n`),
    ...(metrics ? { wrapStore: (store) => observeStore(store, metrics.store) } : {}),
  });
  let metricsListener: MetricsListener | undefined;
  try {
    if (worker === undefined) describeSetup(ctx, env);
    metrics?.watchStore(ctx.store);
    const observer = createExchangeObserver({ logger, scope, ...(metrics ? { metrics } : {}) });
    const secrets = withCommandLineSecrets(ctx.store.secrets, serving.secrets);
    // In a cluster the first worker prunes old announcements; every worker delivers to its connections.
    const announcements = await startAnnouncementService(ctx, logger, {
      onMaterialReloaded: () => {
        service = createCmpService(ctx, logger, extras);
      },
      prunes: worker === undefined || worker === 1,
    });
    const extras = { onAuthenticated: announcements.announcer.onAuthenticated, onExchange: observer.onExchange, secrets };
    let service = createCmpService(ctx, logger, extras);
    const admit = admissionOf(config);
    const listeners: { tcp?: TcpListener; ws?: WsListener; coap?: CoapListener } = {};
    // TCP, WebSocket and CoAP contexts carry the connection's push channel; the announcer keeps it.
    // ARCHITECTURE.md decision 6: the engine flushes what a request committed before its answer
    // leaves (a failed flush is answered systemFailure); `service` changes on a rollover.
    const current: CmpHandler = (request, context) => service.handle(request, context);
    const handle = observer.observe(current);
    let stopping = false;
    const route = healthEndpoints({
      checks: [
        databaseCheck(() => ctx.store.secrets.count()),
        certificatesCheck(
          'caMaterial',
          () => ({ 'issuing CA': ctx.material.issuing.certificate, 'CMP server': ctx.material.cmpServer.certificate }),
          clock,
        ),
      ],
      stopping: () => stopping,
    });
    // TLS: the CA's own certificate for its listeners (renewed by one process of a cluster), or the configured files.
    const tls =
      config.http.tls || config.tcp.tls || config.ws.tls
        ? await openServerTls(ctx, { renew: worker === undefined || worker === 1, logger })
        : undefined;
    const tlsOf = (on: boolean): { tls?: TlsOptions } => (on && tls ? { tls: tls.options() } : {});
    const { tls: httpTls, ...httpConfig } = config.http;
    const http = await listenHttp(handle, { ...httpConfig, logger, route, ...tlsOf(httpTls) });
    if (httpTls) tls?.attach(http.server as HttpsServer);
    const closeListeners = async (): Promise<void> => {
      await Promise.all([listeners.ws?.close(), listeners.tcp?.close(), listeners.coap?.close(), metricsListener?.close()]);
    };
    try {
      if (config.tcp.port !== null) {
        const { tls: tcpTls, ...tcpConfig } = config.tcp;
        listeners.tcp = await listenTcp(handle, {
          ...tcpConfig,
          port: config.tcp.port,
          maxMessageBytes: config.http.maxMessageBytes,
          logger,
          ...(admit ? { admit } : {}),
          ...tlsOf(tcpTls),
        });
        if (tcpTls) tls?.attach(listeners.tcp.server as TlsServer);
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
            : await listenWs(handle, { ...wsOptions, host: config.ws.host, port: config.ws.port, ...tlsOf(config.ws.tls) });
        if (config.ws.port !== null && config.ws.tls && listeners.ws.server) tls?.attach(listeners.ws.server as HttpsServer);
        logger.info('listening', { url: listeners.ws.url });
      }
      if (config.coap.port !== null) {
        listeners.coap = await coapListenerFor(handle, config, http, logger);
        logger.info('listening', { url: listeners.coap.url, tcpUrl: listeners.coap.tcpUrl, wsUrl: listeners.coap.wsUrl });
      }
      if (metrics && worker !== undefined) shareWorkerMetrics(metrics.registry);
      else if (metrics && config.metrics.port !== null) {
        metricsListener = await listenMetrics({
          ...config.metrics,
          port: config.metrics.port,
          collect: metrics.collect,
          logger,
        });
        logger.info('listening', { url: metricsListener.url });
      }
    } catch (error) {
      await closeListeners();
      await http.close(0);
      await announcements.close();
      throw error;
    }
    // In a cluster the first worker sweeps; any worker may, since the records are in the store.
    let sweeping: Promise<unknown> | undefined;
    const sweep =
      worker === undefined || worker === 1
        ? setInterval(() => {
            sweeping ??= runHousekeeping(ctx, service, logger, {
              announceRevocation: (c) => announceRevocation(ctx, logger, c.der, 'accepted', c.revokedAt ?? ctx.clock()),
            }).finally(() => {
              sweeping = undefined;
            });
          }, config.expirySweepSeconds * 1000)
        : undefined;
    sweep?.unref();
    const stopTls = tls ? keepTlsFresh(tls, logger) : undefined;
    const address = {
      host: http.host,
      port: http.port,
      url: http.url,
      ...(listeners.tcp ? { tcpUrl: listeners.tcp.url } : {}),
      ...(listeners.ws ? { wsUrl: listeners.ws.url } : {}),
      ...coapUrlsOf(listeners.coap),
      ...(metricsListener ? { metricsUrl: metricsListener.url } : {}),
    };
    if (worker === undefined) {
      logger.info('listening', { url: http.url, dataDir: config.dataDir });
      if (ctx.createdCa) describeEnrollment(ctx, http, env);
      env.stdout(readyLine('ca', address, config.dataDir));
      env.onListening?.(address);
    } else {
      logger.info('worker listening', { worker, pid: process.pid });
      reportListening(address);
    }

    await waitForAbort(env.signal);
    stopping = true;
    logger.info('shutting down', worker === undefined ? {} : { worker });
    clearInterval(sweep);
    stopTls?.();
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
