import { parseName, type Name } from '@cmpkit/codec';
import type { CmpClient, EnrollOptions } from '@cmpkit/core';
import { clientFromOptions } from '../client-setup.js';
import { capturingTransport, checkPrebuiltAnswer, prebuildEnrollment } from './prebuilt-requests.js';
import type { CmpOptionValues } from '../cmp-options.js';
import type { Io } from '../io.js';
import { generateKeyPair, isKeySpec } from '../keys.js';
import { CliError } from '../cli-error.js';

/** parseArgs descriptions of the options `cmpkit bench` adds to the CMP options. */
export const BENCH_OPTIONS = {
  concurrency: { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
  prebuilt: { type: 'boolean' },
} as const;

/** The options `cmpkit bench` adds to the CMP options. */
export interface BenchValues {
  concurrency?: string;
  count?: string;
  duration?: string;
  /** Build every request (ir with implicitConfirm) before timing, then only send them. */
  prebuilt?: boolean;
}

/** What {@link runBench} measured. */
export interface BenchResult {
  transactions: number;
  errors: number;
  /** Wall time of the timed part, in milliseconds. */
  elapsedMs: number;
  /** Latencies of the successful transactions, in milliseconds, ascending. */
  latenciesMs: number[];
  /** The distinct error messages, with how often each came. */
  errorMessages: Map<string, number>;
}

/** Key pairs generated before timing: every transaction of `--count N` gets its own (up to this many). */
const MAX_KEY_POOL = 10_000;
/** With `--duration` the pool has this many keys, used round-robin. */
const DURATION_KEY_POOL = 1_000;
const PROGRESS_MS = 500;

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0)) throw new CliError(`--${name} '${value}' is not a positive integer`);
  return n;
}

function positiveNumber(value: string, name: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new CliError(`--${name} '${value}' is not a positive number`);
  return n;
}

/** The value at quantile `q` (nearest rank) of ascending `sorted`; 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\s*\n\s*/g, ' ') : String(error);
}

/**
 * Runs `transaction(index)` on `workers` parallel loops until `count` are done or `durationMs`
 * has passed, and reports progress through `progress` at most every 500 ms.
 */
export async function runBench(init: {
  workers: number;
  transaction: (index: number) => Promise<void>;
  count?: number;
  durationMs?: number;
  now?: () => number;
  progress?: (done: number, errors: number, elapsedMs: number) => void;
}): Promise<BenchResult> {
  const now = init.now ?? (() => performance.now());
  const latencies: number[] = [];
  const errorMessages = new Map<string, number>();
  let started = 0;
  let errors = 0;
  const t0 = now();
  const more = (): boolean => (init.count !== undefined ? started < init.count : now() - t0 < (init.durationMs ?? 0));
  const worker = async (): Promise<void> => {
    while (more()) {
      const index = started++;
      const t = now();
      try {
        await init.transaction(index);
        latencies.push(now() - t);
      } catch (error) {
        errors++;
        const message = messageOf(error);
        errorMessages.set(message, (errorMessages.get(message) ?? 0) + 1);
      }
    }
  };
  const timer = init.progress ? setInterval(() => init.progress!(latencies.length + errors, errors, now() - t0), PROGRESS_MS) : undefined;
  timer?.unref?.();
  try {
    await Promise.all(Array.from({ length: init.workers }, worker));
  } finally {
    if (timer) clearInterval(timer);
  }
  latencies.sort((a, b) => a - b);
  return { transactions: latencies.length + errors, errors, elapsedMs: now() - t0, latenciesMs: latencies, errorMessages };
}

/** The report `cmpkit bench` prints at the end. */
export function formatBench(result: BenchResult, setup: { concurrency: number; keys: number }): string {
  const ms = (x: number): string => x.toFixed(1);
  const seconds = result.elapsedMs / 1000;
  const ok = result.transactions - result.errors;
  const lines = [
    `transactions ${result.transactions}  errors ${result.errors}  concurrency ${setup.concurrency}  time ${seconds.toFixed(2)} s  ` +
      `tx/s ${(seconds > 0 ? ok / seconds : 0).toFixed(1)}`,
    `latency ms  p50 ${ms(percentile(result.latenciesMs, 0.5))}  p90 ${ms(percentile(result.latenciesMs, 0.9))}  ` +
      `p99 ${ms(percentile(result.latenciesMs, 0.99))}  max ${ms(result.latenciesMs.at(-1) ?? 0)}`,
    ...[...result.errorMessages].map(([message, n]) => `error x${n}: ${message}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `cmpkit bench --prebuilt`: builds `count` ir requests with implicitConfirm first (keys, POP,
 * protection: everything the client computes), then sends them with `concurrency` workers and
 * times only that, checking each answer's status. The load generator then costs little more than
 * its connections, so the figure is the server's.
 */
async function prebuiltBench(setup: {
  values: CmpOptionValues & BenchValues;
  io: Io;
  concurrency: number;
  count: number;
  spec: string;
}): Promise<number> {
  const { values, io, concurrency, count, spec } = setup;
  const builder = await clientFromOptions(values, io, {}, { transport: capturingTransport, implicitConfirm: true });
  try {
    const fixedSubject: Name | undefined = values.subject ? parseName(values.subject) : undefined;
    const t0 = performance.now();
    const requests: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const options = enrollOptions(values, fixedSubject, i, await generateKeyPair(spec));
      requests.push(await prebuildEnrollment(builder.client, { ...options, implicitConfirm: true }));
    }
    io.stderr(
      `bench: ${count} ir requests with implicitConfirm built in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed), concurrency ${concurrency}\n`,
    );
    let notGranted = 0;
    const result = await runBench({
      workers: concurrency,
      count,
      transaction: async (index) => {
        const outcome = checkPrebuiltAnswer(await builder.transport.send(requests[index]!));
        if (!outcome.implicitConfirm) notGranted++;
      },
      progress: progressTo(io),
    });
    io.stdout(formatBench(result, { concurrency, keys: count }));
    if (notGranted > 0) {
      io.stdout(
        `implicitConfirm not granted ${notGranted}: those certificates await a certConf that never comes (the server revokes them)\n`,
      );
    }
    return result.errors > 0 ? 1 : 0;
  } finally {
    await builder.close();
  }
}

/**
 * `cmpkit bench`: a load generator. Runs full enrollments (ir, then certConf/pkiConf unless
 * `--implicit-confirm` is granted) with `--concurrency` parallel clients, for `--count` transactions
 * (default 100) or `--duration` seconds. The new keys (`--newkey`, default `ec:P-256`) are generated
 * before the clock starts: one per transaction for `--count` (up to 10 000, then reused), a pool
 * of 1 000 used round-robin for `--duration`; key generation is not measured. Prints progress to
 * stderr (at most every 500 ms) and the totals to stdout; exit 1 when any transaction failed.
 * With `--prebuilt` the requests themselves are built before timing (see {@link prebuiltBench}).
 */
export async function benchCommand(values: CmpOptionValues & BenchValues, io: Io): Promise<number> {
  const concurrency = positiveInteger(values.concurrency, 'concurrency', 4);
  if (values.count !== undefined && values.duration !== undefined) throw new CliError('give --count or --duration, not both');
  const durationMs = values.duration === undefined ? undefined : positiveNumber(values.duration, 'duration') * 1000;
  const count = durationMs === undefined ? positiveInteger(values.count, 'count', 100) : undefined;
  const spec = values.newkey ?? 'ec:P-256';
  if (!isKeySpec(spec)) throw new CliError(`bench needs a key spec for --newkey (ec:P-256, rsa:2048, ed25519), not '${spec}'`);
  if (values.centralkeygen || values.csr) throw new CliError('bench enrolls with ir and its own keys: no --centralkeygen or --csr');

  if (values.prebuilt) {
    if (count === undefined) throw new CliError('--prebuilt needs --count (each request is built once, before timing)');
    return prebuiltBench({ values, io, concurrency, count, spec });
  }
  const cliClients = await Promise.all(Array.from({ length: concurrency }, () => clientFromOptions(values, io)));
  try {
    return await benchWith(
      cliClients.map((c) => c.client),
      { values, io, concurrency, durationMs, count, spec },
    );
  } finally {
    await Promise.all(cliClients.map((c) => c.close()));
  }
}

/** The enrollment of transaction `index`. */
function enrollOptions(values: CmpOptionValues, fixedSubject: Name | undefined, index: number, keyPair: CryptoKeyPair): EnrollOptions {
  return {
    bodyType: 'ir',
    keyPair,
    subject: fixedSubject ?? parseName(`/CN=cmpkit-bench-${index + 1}`),
    ...(values.profile ? { certProfile: values.profile } : {}),
    ...(values['implicit-confirm'] ? { implicitConfirm: true } : {}),
  };
}

function progressTo(io: Io): (done: number, errors: number, elapsedMs: number) => void {
  return (done, errors, elapsedMs) =>
    io.stderr(
      `bench: ${done} done, ${errors} errors, ${(elapsedMs / 1000).toFixed(1)} s, ${(done / (elapsedMs / 1000)).toFixed(1)} tx/s\n`,
    );
}

async function benchWith(
  clients: CmpClient[],
  setup: {
    values: CmpOptionValues & BenchValues;
    io: Io;
    concurrency: number;
    durationMs: number | undefined;
    count: number | undefined;
    spec: string;
  },
): Promise<number> {
  const { values, io, concurrency, durationMs, count, spec } = setup;
  const poolSize = count === undefined ? DURATION_KEY_POOL : Math.min(count, MAX_KEY_POOL);
  const keys: CryptoKeyPair[] = [];
  for (let i = 0; i < poolSize; i++) keys.push(await generateKeyPair(spec));
  const fixedSubject: Name | undefined = values.subject ? parseName(values.subject) : undefined;
  io.stderr(
    `bench: ${count === undefined ? `${durationMs! / 1000} s` : `${count} transactions`}, concurrency ${concurrency}, ${poolSize} ${spec} keys generated\n`,
  );

  const idle = [...clients];
  const result = await runBench({
    workers: clients.length,
    ...(count === undefined ? { durationMs: durationMs! } : { count }),
    transaction: async (index) => {
      const client = idle.pop()!;
      try {
        await client.enroll(enrollOptions(values, fixedSubject, index, keys[index % keys.length]!));
      } finally {
        idle.push(client);
      }
    },
    progress: progressTo(io),
  });
  io.stdout(formatBench(result, { concurrency, keys: poolSize }));
  return result.errors > 0 ? 1 : 0;
}
