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
  /** Told the address once `start` listens (tests start on port 0). */
  onListening?(address: ListeningAddress): void;
}
