import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { createIteratedDigest } from './internal/iterated-digest.js';
import { KEY_DERIVATION_WORKER_SOURCE } from './internal/key-derivation-worker-source.js';

/** The hashes a derivation may use. */
export type WorkerDerivationHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * A password-based key derivation, as `@cmpkit/protection` describes one (`PasswordDerivation`):
 * PasswordBasedMac's iterated OWF (RFC 9810 section 5.1.3.1) or PBKDF2 (RFC 8018, for PBMAC1 and
 * PWRI).
 */
export type WorkerDerivation =
  | { algorithm: 'PasswordBasedMac'; owf: WorkerDerivationHash; secret: Uint8Array; salt: Uint8Array; iterationCount: number }
  | {
      algorithm: 'PBKDF2';
      prf: WorkerDerivationHash;
      secret: Uint8Array;
      salt: Uint8Array;
      iterationCount: number;
      keyLength: number;
    };

/** Construction input of {@link createWorkerKeyDeriver}. */
export interface WorkerKeyDeriverInit {
  /** Worker threads; derivations beyond this many wait for one. Default 1. */
  threads?: number;
  /**
   * PasswordBasedMac derivations with SHA-1 or SHA-256 and at most this many iterations run in
   * the calling thread: a bounded slice (1 000 rounds take 0.1-0.3 ms) that costs less than
   * the hand-over to a thread and back. Default 1 000 (OpenSSL sends 500); 0 sends every
   * derivation to a worker.
   */
  inlineMaxIterations?: number;
  /**
   * Run the threads at the lowest CPU priority (nice 19), so that a peer who makes derivations
   * expensive slows those down rather than the event loop. Linux only (there the nice value is
   * per thread; elsewhere it is the whole process's, and this does nothing). Default true.
   */
  lowPriority?: boolean;
}

/** A `PasswordKeyDeriver` (see `@cmpkit/protection`) on worker threads. */
export interface WorkerKeyDeriver {
  /**
   * Derives on a worker thread (the calling thread only posts the job and receives the key), or
   * at once when {@link WorkerKeyDeriver.deriveInline} would.
   */
  derive(derivation: WorkerDerivation): Promise<Uint8Array>;
  /** The key at once for a short PasswordBasedMac derivation (`inlineMaxIterations`); undefined for the rest. */
  deriveInline(derivation: WorkerDerivation): Uint8Array | undefined;
  /** Stops the worker threads; derivations still running are refused. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  message: Record<string, unknown>;
  resolve(key: Uint8Array): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

type Reply = { id: number; key: Uint8Array } | { id: number; error: string };

/**
 * Runs password-based key derivations (PasswordBasedMac, PBMAC1, PWRI) on worker threads, so
 * that a derivation a peer made expensive never holds the event loop; only short PasswordBasedMac
 * derivations (`inlineMaxIterations`) run in the calling thread. Pass it to a server as
 * `keyDerivation.deriver` (`@cmpkit/core`, which caps how many run at once) or to any
 * `@cmpkit/protection` call as `keyDeriver`.
 *
 * Threads start with the first derivation and keep the process alive only while a derivation
 * runs. A thread that dies fails its derivation and is replaced.
 *
 * @example
 * ```ts
 * const deriver = createWorkerKeyDeriver({ threads: 2 });
 * const server = createServer({ ...init, keyDerivation: { deriver, maxConcurrent: 2 } });
 * // on shutdown
 * await deriver.close();
 * ```
 */
export function createWorkerKeyDeriver(init: WorkerKeyDeriverInit = {}): WorkerKeyDeriver {
  const threads = init.threads ?? 1;
  if (!(Number.isInteger(threads) && threads > 0)) throw new RangeError('node-crypto: threads must be a positive integer');
  const inlineMaxIterations = init.inlineMaxIterations ?? 1000;
  if (!(Number.isInteger(inlineMaxIterations) && inlineMaxIterations >= 0)) {
    throw new RangeError('node-crypto: inlineMaxIterations must be a non-negative integer');
  }
  const inline = createIteratedDigest(createHash);
  const lowPriority = (init.lowPriority ?? true) && process.platform === 'linux';
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 0;
  let closed = false;

  function finish(slot: Slot): void {
    slot.job = undefined;
    const next = queue.shift();
    if (next) run(slot, next);
    else slot.worker.unref();
  }

  function startWorker(): Slot {
    const worker = new Worker(KEY_DERIVATION_WORKER_SOURCE, { eval: true, workerData: { nice: lowPriority ? 19 : 0 } });
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (reply: Reply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      if ('error' in reply) job.reject(new Error(`node-crypto: key derivation failed: ${reply.error}`));
      else job.resolve(reply.key);
      finish(slot);
    });
    const retire = (reason: Error): void => {
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      const job = slot.job;
      slot.job = undefined;
      job?.reject(reason);
      const next = queue.shift();
      if (next) dispatch(next);
    };
    worker.on('error', (error) => retire(new Error('node-crypto: a key derivation worker failed', { cause: error })));
    worker.on('exit', (code) => retire(new Error(`node-crypto: a key derivation worker exited (${code})`)));
    slots.push(slot);
    return slot;
  }

  function run(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    slot.worker.postMessage(job.message);
  }

  function dispatch(job: Job): void {
    if (closed) {
      job.reject(new Error('node-crypto: the key deriver is closed'));
      return;
    }
    const idle = slots.find((s) => s.job === undefined);
    if (idle) run(idle, job);
    else if (slots.length < threads) run(startWorker(), job);
    else queue.push(job);
  }

  function deriveInline(derivation: WorkerDerivation): Uint8Array | undefined {
    if (closed) throw new Error('node-crypto: the key deriver is closed');
    if (
      derivation.algorithm !== 'PasswordBasedMac' ||
      (derivation.owf !== 'SHA-1' && derivation.owf !== 'SHA-256') ||
      derivation.iterationCount > inlineMaxIterations
    ) {
      return undefined;
    }
    return inline.iterate(derivation.owf, derivation.secret, derivation.salt, derivation.iterationCount);
  }

  return {
    deriveInline,
    derive(derivation) {
      let key: Uint8Array | undefined;
      try {
        key = deriveInline(derivation);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (key) return Promise.resolve(key);
      return new Promise<Uint8Array>((resolve, reject) => {
        const hash = derivation.algorithm === 'PBKDF2' ? derivation.prf : derivation.owf;
        // Copies: a view into a received message would carry its whole buffer to the thread.
        const message: Record<string, unknown> = {
          id: nextId++,
          algorithm: derivation.algorithm,
          hash,
          secret: derivation.secret.slice(),
          salt: derivation.salt.slice(),
          iterationCount: derivation.iterationCount,
        };
        if (derivation.algorithm === 'PBKDF2') message.keyLength = derivation.keyLength;
        dispatch({ id: message.id as number, message, resolve, reject });
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('node-crypto: the key deriver is closed'));
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
