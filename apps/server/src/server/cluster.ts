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

/** The environment variable that gives a restarted worker the ports the cluster listened on. */
const PORTS = 'CMPKIT_SERVER_PORTS';

/** The ports a cluster listens on. */
export interface ClusterPorts {
  http: number;
  tcp?: number;
  ws?: number;
  /** CoAP over UDP and TCP (one port number for both). */
  coap?: number;
}

function portOf(url: string | undefined): number | undefined {
  if (url === undefined) return undefined;
  const port = Number(new URL(url).port);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

function portsOf(address: ClusterAddress): ClusterPorts {
  const tcp = portOf(address.tcpUrl);
  const ws = portOf(address.wsUrl);
  const coap = portOf(address.coapUrl?.replace(/^coap:/, 'http:'));
  return {
    http: address.port,
    ...(tcp === undefined ? {} : { tcp }),
    ...(ws === undefined ? {} : { ws }),
    ...(coap === undefined ? {} : { coap }),
  };
}

/**
 * In a worker started after every worker had died: the ports the cluster listened on before, to
 * listen on again (with `--port 0` a new listen would pick another port and lose every client).
 * Undefined otherwise: then the workers share the listening sockets the configuration names.
 */
export function clusterPorts(): ClusterPorts | undefined {
  if (!cluster.isWorker) return undefined;
  const text = process.env[PORTS];
  if (!text) return undefined;
  const ports = JSON.parse(text) as ClusterPorts;
  return Number.isInteger(ports.http) ? ports : undefined;
}

/** A worker tells the primary where it listens, once every listener is up. */
export function reportListening(address: ClusterAddress): void {
  if (cluster.isWorker) process.send?.({ type: LISTENING, address });
}

/** How soon a dead worker is replaced. */
export interface RestartBackoff {
  /** Delay after the first of consecutive early deaths, ms (doubling with each further one). Default 500. */
  initialMs?: number;
  /** Longest delay, ms. Default 30 000. */
  maxMs?: number;
  /** A worker that served this long counts as healthy: its death is replaced at once. Default 30 000. */
  healthyAfterMs?: number;
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
  restartBackoff?: RestartBackoff;
}

/**
 * The primary of `serve` (node:cluster): forks N workers that run this same command line and
 * share the listening sockets, and supervises them: a worker that dies, of any cause (a crash,
 * SIGBUS, SIGKILL, an out-of-memory kill), is replaced, so a crash costs a restart and not an
 * outage. A worker that dies before it listens or soon after is replaced with a growing delay
 * (backoff), so one that cannot run does not spin. Only before any worker has ever listened does a
 * failed start stop the cluster (a configuration error, a port in use: exit status 1). The primary
 * holds no database connection and serves nothing; the workers share state through the store
 * only, so any of them continues any transaction. Resolves to the exit status: 0 after a
 * requested stop, 1 when the first start failed.
 */
export function runClusterPrimary(options: ClusterPrimaryOptions): Promise<number> {
  const { workers, logger, signal } = options;
  const initialMs = options.restartBackoff?.initialMs ?? 500;
  const maxMs = options.restartBackoff?.maxMs ?? 30_000;
  const healthyAfterMs = options.restartBackoff?.healthyAfterMs ?? 30_000;
  const running = new Map<Worker, { n: number; listenedAt?: number }>();
  /** Consecutive early deaths per worker number. */
  const earlyDeaths = new Map<number, number>();
  const restarts = new Set<NodeJS.Timeout>();
  let stopping = false;
  let announced = false;
  /** Where the first worker listened. */
  let address: ClusterAddress | undefined;
  /**
   * Whether new workers listen on `address`'s ports instead of the configured ones: from the
   * moment no worker was left (node:cluster closed the listening sockets), so that a configured
   * port 0 keeps its port; never while workers that listen on the configured ports live, since
   * those share the sockets by the configured port.
   */
  let samePorts = false;

  // One worker accepts its connections itself; round-robin (node's default on Linux) would have
  // the primary accept each one and pass it on, a cost per connection for nothing to balance.
  // Set before the first fork, after which node:cluster freezes it; NODE_CLUSTER_SCHED_POLICY
  // still decides when given.
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) {
    cluster.schedulingPolicy = workers === 1 ? cluster.SCHED_NONE : cluster.SCHED_RR;
  }
  if (options.exec !== undefined) cluster.setupPrimary({ exec: options.exec });
  return new Promise<number>((resolve) => {
    const finish = (status: number) => {
      if (running.size === 0) resolve(status);
      else cluster.once('exit', () => finish(status));
    };
    const stopAll = (status: number) => {
      if (stopping) return;
      stopping = true;
      for (const timer of restarts) clearTimeout(timer);
      restarts.clear();
      for (const worker of running.keys()) worker.process.kill('SIGTERM');
      finish(status);
    };
    const fork = (n: number) => {
      if (address && running.size === 0) samePorts = true;
      const worker = cluster.fork({
        [WORKER_NUMBER]: String(n),
        ...(samePorts && address ? { [PORTS]: JSON.stringify(portsOf(address)) } : {}),
      });
      const state: { n: number; listenedAt?: number } = { n };
      running.set(worker, state);
      worker.on('message', (message: { type?: string; address?: ClusterAddress }) => {
        if (message?.type !== LISTENING || !message.address) return;
        state.listenedAt = Date.now();
        if (!announced) {
          announced = true;
          address = message.address;
          options.onListening(message.address);
        }
      });
      worker.on('exit', (code, sig) => {
        running.delete(worker);
        if (stopping) return;
        if (!announced) {
          logger.error('worker failed to start; stopping', { worker: n, code, signal: sig });
          stopAll(1);
          return;
        }
        const healthy = state.listenedAt !== undefined && Date.now() - state.listenedAt >= healthyAfterMs;
        const deaths = healthy ? 0 : (earlyDeaths.get(n) ?? 0) + 1;
        earlyDeaths.set(n, deaths);
        const delayMs = deaths === 0 ? 0 : Math.min(maxMs, initialMs * 2 ** (deaths - 1));
        logger.warn('worker exited; starting a new one', { worker: n, pid: worker.process.pid, code, signal: sig, delayMs });
        const timer = setTimeout(() => {
          restarts.delete(timer);
          if (!stopping) fork(n);
        }, delayMs);
        restarts.add(timer);
      });
    };
    for (let n = 1; n <= workers; n++) fork(n);
    if (signal?.aborted) stopAll(0);
    else signal?.addEventListener('abort', () => stopAll(0), { once: true });
  });
}
