import type { ListeningAddress } from './server/ready-line.js';

/** Where the CLI writes and what it runs on; injected so tests run it in-process. */
export interface CliEnvironment {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Stops `start` gracefully when aborted (the bin wires SIGINT and SIGTERM to it). */
  signal?: AbortSignal;
  /** Default: the system clock. */
  clock?: () => Date;
  /** Default: WebCrypto with node:crypto fast paths (`createNodeCrypto`). */
  crypto?: Crypto;
  /** Relative paths are resolved against it. Default: `process.cwd()`. */
  cwd?: string;
  /**
   * Run `serve` as a primary that restarts the serving worker process when it dies (node:cluster,
   * `apps/server/src/server/cluster.ts`); the bin sets it. Without it `serve` runs in this
   * process unless `--workers` asks for more than one (in-process tests and embedding).
   */
  supervise?: boolean;
  /** Told the address once `start` listens (tests start on port 0). */
  onListening?(address: ListeningAddress): void;
}
