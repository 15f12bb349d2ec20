import { createNodeCrypto } from '@cmpkit/node-crypto';
import { withPostQuantum } from '@cmpkit/pq-crypto';
import type { CliEnvironment } from '../cli-environment.js';
import { loadConfig, type ConfigSources } from '../config/load-config.js';
import type { ServerConfig } from '../config/server-config.js';
import { formatLogger } from '../log/format-logger.js';
import type { Logger } from '../log/logger.js';
import { openServerContext, type ServerContext } from '../server/server-context.js';
import { UsageError } from './usage-error.js';

/** The options every command takes. */
export interface CommonOptions {
  config?: string;
  'data-dir'?: string;
  db?: string;
}

/** parseArgs descriptions of {@link CommonOptions}. */
export const COMMON_OPTIONS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  db: { type: 'string' },
} as const;

/**
 * WebCrypto with synchronous node:crypto signatures and digests (no thread-pool hop per
 * signature), and ML-DSA/ML-KEM: the runtime's own where it has them, else pure JS.
 */
const nodeCrypto = withPostQuantum(createNodeCrypto());

/** The resolved environment: clock, crypto and working directory. */
export function runtimeOf(env: CliEnvironment): { clock: () => Date; crypto: Crypto; cwd: string } {
  return {
    clock: env.clock ?? (() => new Date()),
    crypto: env.crypto ?? nodeCrypto,
    cwd: env.cwd ?? process.cwd(),
  };
}

/** Loads the configuration named by the common options (and any overrides). */
export async function configOf(options: CommonOptions, env: CliEnvironment, extra: Partial<ConfigSources> = {}): Promise<ServerConfig> {
  return loadConfig({
    cwd: runtimeOf(env).cwd,
    ...(options.config === undefined ? {} : { configFile: options.config }),
    ...(options['data-dir'] === undefined ? {} : { dataDir: options['data-dir'] }),
    ...(options.db === undefined ? {} : { database: options.db }),
    ...extra,
  });
}

/** A logger to standard error at the configured level (maintenance commands: warnings only). */
export function loggerOf(env: CliEnvironment, config: ServerConfig, maintenance: boolean): Logger {
  const level = maintenance && config.logLevel !== 'silent' && config.logLevel !== 'error' ? 'warn' : config.logLevel;
  return formatLogger(config.logFormat, env.stderr, level, runtimeOf(env).clock);
}

/**
 * Runs `work` with the server context of an initialised data directory (maintenance commands do
 * not create a CA) and closes it afterwards.
 */
export async function withContext<T>(options: CommonOptions, env: CliEnvironment, work: (ctx: ServerContext) => Promise<T>): Promise<T> {
  const config = await configOf(options, env);
  const { clock, crypto } = runtimeOf(env);
  const ctx = await openServerContext(config, { clock, crypto, logger: loggerOf(env, config, true), create: false });
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

/** Exactly `count` positionals, or a usage error naming them. */
export function expectPositionals(positionals: string[], names: string[], command: string): string[] {
  if (positionals.length !== names.length) {
    throw new UsageError(`${command} needs ${names.length === 0 ? 'no arguments' : names.join(' ')}`);
  }
  return positionals;
}
