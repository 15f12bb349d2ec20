import type { CmpHandler } from '@cmpkit/core';
import type { CliEnvironment } from '../cli-environment.js';
import { lineLogger } from '../log/logger.js';
import { createCmpService } from '../server/cmp-service.js';
import { listenHttp } from '../server/http-listener.js';
import { withRequestLog } from '../server/request-log.js';
import { clusterWorkerNumber, leaveCluster, runClusterPrimary } from '../server/cluster.js';
import { openServerContext } from '../server/server-context.js';
import type { ServerConfig } from '../config/server-config.js';
import type { Logger } from '../log/logger.js';
import { configOf, runtimeOf, type CommonOptions } from './command-context.js';
import { describeEnrollment, describeSetup } from './init.js';

/** Options of `cmpkit-server serve` (alias `start`). */
export interface StartOptions extends CommonOptions {
  port?: number;
  host?: string;
  workers?: number;
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
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  });
  const logger = lineLogger(env.stderr, config.logLevel, runtimeOf(env).clock);
  const worker = clusterWorkerNumber();
  if (config.workers > 1 && worker === undefined) return startPrimary(config, env, logger);
  try {
    return await serve(config, env, logger, worker);
  } finally {
    leaveCluster();
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
      const hostText = address.host.includes(':') ? `[${address.host}]` : address.host;
      const url = `http://${hostText}:${address.port}${config.http.path}`;
      logger.info('listening', { url, dataDir: config.dataDir, workers: config.workers });
      if (ctx.createdCa) describeEnrollment(ctx, address, env);
      env.onListening?.({ host: address.host, port: address.port, url });
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
    const service = createCmpService(ctx, logger);
    // ARCHITECTURE.md decision 6: what a request committed is durable before its answer leaves.
    const durable: CmpHandler = async (request, context) => {
      const response = await service.handle(request, context);
      await ctx.store.flush();
      return response;
    };
    const http = await listenHttp(withRequestLog(durable, logger, clock), { ...config.http, logger });
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
    if (worker === undefined) {
      logger.info('listening', { url: http.url, dataDir: config.dataDir });
      if (ctx.createdCa) describeEnrollment(ctx, http, env);
      env.onListening?.({ host: http.host, port: http.port, url: http.url });
    } else {
      logger.info('worker listening', { worker, pid: process.pid });
    }

    await waitForAbort(env.signal);
    logger.info('shutting down', worker === undefined ? {} : { worker });
    clearInterval(sweep);
    await http.close();
    await sweeping;
    if (worker === undefined) logger.info('stopped');
    return 0;
  } finally {
    await ctx.close();
  }
}
