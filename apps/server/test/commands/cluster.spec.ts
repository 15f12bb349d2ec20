// `serve --workers N`: the cluster primary (node:cluster) with a stand-in worker script, and the
// property the workers rely on: every state of a transaction is in the database, so a
// transaction begun on one serving process continues on another.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '@cmpkit/test-utils';
import { decodePem, decodePKIMessage, parseName } from '@cmpkit/codec';
import { createClient, type Transport } from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';
import { lineLogger } from '../../src/log/logger.js';
import { main } from '../../src/main.js';
import { runClusterPrimary } from '../../src/server/cluster.js';
import { runCli } from '../run-cli.js';
import { serialOf, tempDir } from '../helpers.js';

const WORKER_SCRIPT = fileURLToPath(new URL('../fixtures/cluster-worker.mjs', import.meta.url));
const silent = lineLogger(
  () => {},
  'silent',
  () => new Date(),
);

/** One `cmpkit-server serve` in this process on the data directory `dir`; resolves once it listens. */
async function serveIn(dir: string): Promise<{ url: string; stop(): Promise<number> }> {
  const abort = new AbortController();
  let listening: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const running = main(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', 'data'], {
    cwd: dir,
    signal: abort.signal,
    stdout: () => {},
    stderr: () => {},
    onListening: (address) => listening(address.url),
  });
  return { url: await url, stop: () => (abort.abort(), running) };
}

async function answerOf(port: number): Promise<{ worker: string; pid: number }> {
  const text = await (
    await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(2000) })
  ).text();
  const [worker, pid] = text.split(' ');
  return { worker: worker as string, pid: Number(pid) };
}

/** Asks until every worker number in `expected` has answered (the primary deals connections out in turn). */
async function collectWorkers(port: number, expected: string[]): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  await waitUntil(
    async () => {
      const { worker, pid } = await answerOf(port);
      seen.set(worker, pid);
      return seen.size >= expected.length;
    },
    { intervalMs: 0, what: `answers from workers ${expected.join(', ')}` },
  );
  return seen;
}

describe('cluster primary (node:cluster)', () => {
  it('runs N workers behind one port, replaces one that dies, and stops them all when aborted', async () => {
    const abort = new AbortController();
    let listening: (port: number) => void;
    const bound = new Promise<number>((resolve) => (listening = resolve));
    const running = runClusterPrimary({
      workers: 2,
      logger: silent,
      signal: abort.signal,
      exec: WORKER_SCRIPT,
      onListening: (a) => listening(a.port),
    });
    const port = await bound;
    const first = await collectWorkers(port, ['1', '2']);
    expect([...first.keys()].sort()).toEqual(['1', '2']);

    process.kill(first.get('1') as number, 'SIGKILL');
    const replaced = await waitUntil(
      async () => {
        const answer = await answerOf(port).catch(() => undefined);
        return answer?.worker === '1' && answer.pid !== first.get('1') ? answer.pid : undefined;
      },
      { intervalMs: 10, what: 'an answer from the replaced worker 1' },
    );
    expect(replaced).not.toBe(first.get('1'));

    abort.abort();
    expect(await running).toBe(0);
    await expect(answerOf(port)).rejects.toThrow();
  });

  it('replaces a worker that keeps dying with a doubling delay up to the maximum, and stops waiting when aborted', async () => {
    const lines: string[] = [];
    const logger = lineLogger(
      (text) => lines.push(text),
      'info',
      () => new Date(),
    );
    const delays = () => lines.flatMap((line) => /worker exited; .* delayMs=(\d+)/.exec(line)?.[1] ?? []).map(Number);
    process.env.CLUSTER_TEST_CRASH = '1';
    const abort = new AbortController();
    try {
      let port: number | undefined;
      const running = runClusterPrimary({
        workers: 1,
        logger,
        signal: abort.signal,
        exec: WORKER_SCRIPT,
        restartBackoff: { initialMs: 20, maxMs: 80, healthyAfterMs: 60_000 },
        onListening: (a) => (port = a.port),
      });
      await waitUntil(() => delays().length >= 5, { what: 'five restarts' });
      abort.abort();
      expect(await running).toBe(0);
      expect(delays().slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
      expect(lines.filter((line) => line.includes('worker exited')).every((line) => line.includes('code=4'))).toBe(true);
      expect(port).toBeGreaterThan(0);
    } finally {
      delete process.env.CLUSTER_TEST_CRASH;
    }
  });

  it('a worker that cannot start stops the cluster with status 1', async () => {
    process.env.CLUSTER_TEST_FAIL = '1';
    try {
      const status = await runClusterPrimary({ workers: 2, logger: silent, exec: WORKER_SCRIPT, onListening: () => {} });
      expect(status).toBe(1);
    } finally {
      delete process.env.CLUSTER_TEST_FAIL;
    }
  });
});

describe('a transaction spread across serving processes of one database', () => {
  it('ir answered by one, certConf by the other: pkiconf, the certificate confirmed', async () => {
    const dir = tempDir();
    const a = await serveIn(dir);
    const b = await serveIn(dir);
    try {
      const toA = httpTransport({ url: a.url });
      const toB = httpTransport({ url: b.url });
      const seen: string[] = [];
      let sent = 0;
      const alternating: Transport = {
        async send(request, options) {
          const target = sent++ % 2 === 0 ? toA : toB;
          const response = await target.send(request, options);
          seen.push(`${decodePKIMessage(request).body.type}@${target === toA ? 'a' : 'b'} -> ${decodePKIMessage(response).body.type}`);
          return response;
        },
      };
      const data = join(dir, 'data');
      const pem = (file: string) => decodePem(readFileSync(join(data, file), 'utf8')).map((b) => b.der);
      const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      const client = createClient({
        transport: alternating,
        credential: { secret: 'demo-secret-change-me', senderKID: 'demo' },
        trustAnchors: pem('root-ca.pem'),
        untrusted: pem('issuing-ca.pem'),
      });
      const result = await client.enroll({ bodyType: 'ir', keyPair, subject: parseName('/CN=spread') });
      expect(seen).toEqual(['ir@a -> ip', 'certConf@b -> pkiconf']);
      const listed = await runCli({ cwd: dir }, 'cert', 'list', '--data-dir', 'data');
      expect(listed.stdout).toMatch(new RegExp(`${serialOf(result.certificate)}.*confirmed`));
    } finally {
      expect(await a.stop()).toBe(0);
      expect(await b.stop()).toBe(0);
    }
  });
});
