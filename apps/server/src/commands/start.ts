import type { CliEnvironment } from '../cli-environment.js';
import { lineLogger } from '../log/logger.js';
import { createCmpService } from '../server/cmp-service.js';
import { listenHttp } from '../server/http-listener.js';
import { withRequestLog } from '../server/request-log.js';
import { openServerContext } from '../server/server-context.js';
import { configOf, runtimeOf, type CommonOptions } from './command-context.js';
import { describeEnrollment, describeSetup } from './init.js';
import { startRa } from './ra.js';

/** Options of `cmpkit-server serve` (alias `start`). */
export interface StartOptions extends CommonOptions {
  port?: number;
  host?: string;
  /** `ca` (default) or `ra`. */
  role?: string;
  /** The CA's URL, for role ra. */
  upstream?: string;
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
    ...(options.role === undefined ? {} : { role: options.role }),
    ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
  });
  if (config.role === 'ra') return startRa(config, env);
  const { clock, crypto } = runtimeOf(env);
  const logger = lineLogger(env.stderr, config.logLevel, clock);
  const ctx = await openServerContext(config, { clock, crypto, logger });
  try {
    describeSetup(ctx, env);
    const service = createCmpService(ctx, logger);
    const http = await listenHttp(withRequestLog(service.handle, logger, clock), { ...config.http, logger });
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
    env.onListening?.({ host: http.host, port: http.port, url: http.url });

    await waitForAbort(env.signal);
    logger.info('shutting down');
    clearInterval(sweep);
    await http.close();
    await sweeping;
    logger.info('stopped');
    return 0;
  } finally {
    await ctx.close();
  }
}
