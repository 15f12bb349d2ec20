import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log/logger.js';

/** The environment variable that tells a worker its number (1..N). */
const WORKER_NUMBER = 'CMPKIT_SERVER_WORKER';

/** This process's worker number under `serve --workers N`, or undefined outside a cluster. */
export function clusterWorkerNumber(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const n = Number(process.env[WORKER_NUMBER]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A worker that has stopped serving lets go of the primary (its IPC channel would keep it alive). */
export function leaveCluster(): void {
  if (cluster.isWorker && cluster.worker?.isConnected()) cluster.worker.disconnect();
}

/** Where the workers listen, as the primary learns it from the first one. */
export interface ClusterAddress {
  host: string;
  port: number;
  url: string;
  tcpUrl?: string;
  wsUrl?: string;
  coapUrl?: string;
  coapTcpUrl?: string;
  coapWsUrl?: string;
}

const LISTENING = 'cmpkit-server:listening';

/** A worker tells the primary where it listens, once every listener is up. */
export function reportListening(address: ClusterAddress): void {
  if (cluster.isWorker) process.send?.({ type: LISTENING, address });
}

/** Options of {@link runClusterPrimary}. */
export interface ClusterPrimaryOptions {
  workers: number;
  logger: Logger;
  /** Stops the workers (SIGTERM: each finishes its open exchanges) when aborted. */
  signal?: AbortSignal;
  /** Called once, when the first worker reports that it listens ({@link reportListening}). */
  onListening(address: ClusterAddress): void;
  /** The script the workers run. Default: this process's own (process.argv[1]) with its arguments. */
  exec?: string;
}

/**
 * The primary of `serve --workers N` (node:cluster): forks N workers that run this same command
 * line and share one listening socket, replaces a worker that dies after it listened, and stops
 * them all when `signal` aborts. The primary holds no database connection and serves nothing;
 * the workers share state through the store only, so any of them continues any transaction.
 * Resolves to the exit status: 0 after a requested stop, 1 when a worker failed to start.
 */
export function runClusterPrimary(options: ClusterPrimaryOptions): Promise<number> {
  const { workers, logger, signal } = options;
  const running = new Map<Worker, number>();
  const listened = new Set<number>();
  let stopping = false;
  let announced = false;

  if (options.exec !== undefined) cluster.setupPrimary({ exec: options.exec });
  return new Promise<number>((resolve) => {
    const finish = (status: number) => {
      if (running.size === 0) resolve(status);
      else cluster.once('exit', () => finish(status));
    };
    const stopAll = (status: number) => {
      if (stopping) return;
      stopping = true;
      for (const worker of running.keys()) worker.process.kill('SIGTERM');
      finish(status);
    };
    const fork = (n: number) => {
      const worker = cluster.fork({ [WORKER_NUMBER]: String(n) });
      running.set(worker, n);
      worker.on('message', (message: { type?: string; address?: ClusterAddress }) => {
        if (message?.type !== LISTENING || !message.address) return;
        listened.add(n);
        if (!announced) {
          announced = true;
          options.onListening(message.address);
        }
      });
      worker.on('exit', (code, sig) => {
        running.delete(worker);
        if (stopping) return;
        if (!listened.has(n)) {
          logger.error('worker failed to start; stopping', { worker: n, code, signal: sig });
          stopAll(1);
          return;
        }
        logger.warn('worker exited; starting a new one', { worker: n, code, signal: sig });
        fork(n);
      });
    };
    for (let n = 1; n <= workers; n++) fork(n);
    if (signal?.aborted) stopAll(0);
    else signal?.addEventListener('abort', () => stopAll(0), { once: true });
  });
}
