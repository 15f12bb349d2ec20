// cmpkit-server throughput with `--workers 1` and `--workers 2`, measured with the pre-built load
// generator (`cmpkit bench --prebuilt`): every request (ir with implicitConfirm) is built and
// protected before timing, so the load generator spends little more than its connections and
// the figure is the server's.
//
// Method: for each worker count, `cmpkit-server serve --workers N` (defaults, SQLite, a new
// temporary data directory) and one `cmpkit bench --prebuilt` process with 4 requests in flight
// per worker, a new connection per message. Kinds: MAC (PasswordBasedMac, 500 iterations, as
// OpenSSL sends it) and signature (ECDSA P-256, a device certificate enrolled first). Printed:
// transactions per second, p50 latency, and the server's CPU per transaction (all its processes
// and threads, from /proc). On a 2-CPU machine the load generator shares the server's cores, so
// the 2-worker figure is a lower bound.
//
// Environment: CMPKIT_BENCH_COUNT (transactions per run, default 2000), CMPKIT_BENCH_WORKERS
// (default "1,2").
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCmpkitServer, treeCpuMs } from './server-process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliBin = join(root, 'apps/client/bin/cmpkit.js');
const COUNT = Number(process.env.CMPKIT_BENCH_COUNT ?? 2000);
const WORKERS = (process.env.CMPKIT_BENCH_WORKERS ?? '1,2').split(',').map(Number);
const REFERENCE = 'bench';
const SECRET = 'bench-secret';

/** Runs the CLI; resolves to its output (rejects on a non-zero exit). */
function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c.toString()));
    child.stderr.on('data', (c) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`cmpkit ${args[0]} failed (${code}):\n${out}`))));
  });
}

async function measure(workers) {
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-throughput-'));
  const server = await startCmpkitServer({
    dir,
    dataDir: join(dir, 'ca'),
    config: { initialSecret: { reference: REFERENCE, secret: SECRET } },
    workers,
  });
  server.caDir = join(dir, 'ca');
  const rows = [];
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    const trust = ['--trusted', join(server.caDir, 'root-ca.pem'), '--untrusted', join(server.caDir, 'issuing-ca.pem')];
    await cli(
      ['ir', '--server', url, '--ref', REFERENCE, '--secret', `pass:${SECRET}`, ...trust, '--newkey', 'ec:P-256'].concat([
        '--newkeyout',
        join(dir, 'device.key'),
        '--subject',
        '/CN=bench device',
        '--certout',
        join(dir, 'device.pem'),
      ]),
    );
    const kinds = [
      ['MAC (PasswordBasedMac, 500 it.)', ['--ref', REFERENCE, '--secret', `pass:${SECRET}`, '--mac', 'pbm', '--iterations', '500']],
      ['signature (ECDSA P-256)', ['--cert', join(dir, 'device.pem'), '--key', join(dir, 'device.key')]],
    ];
    for (const [name, protection] of kinds) {
      const bench = (count) =>
        cli([
          'bench',
          '--server',
          url,
          ...protection,
          ...trust,
          '--prebuilt',
          '--count',
          String(count),
          '--concurrency',
          String(4 * workers),
        ]);
      await bench(Math.min(500, COUNT)); // warm-up
      const before = treeCpuMs(server.pid);
      const out = await bench(COUNT);
      const cpuMs = treeCpuMs(server.pid) - before;
      const txs = /tx\/s ([\d.]+)/.exec(out)?.[1];
      const p50 = /p50 ([\d.]+)/.exec(out)?.[1];
      const errors = Number(/errors (\d+)/.exec(out)?.[1] ?? 0);
      if (errors > 0) process.exitCode = 1;
      rows.push({ workers, name, txs, p50, errors, cpuMsPerTx: cpuMs / COUNT });
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const rows = [];
  for (const workers of WORKERS) rows.push(...(await measure(workers)));
  const lines = [
    `## cmpkit-server throughput, pre-built requests (\`cmpkit bench --prebuilt\`, ${availableParallelism()} CPUs, ${COUNT} ir with implicitConfirm per run)`,
    '',
    '| workers | protection | tx/s | p50 ms | server CPU ms/tx | errors |',
    '| ---: | --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.workers} | ${r.name} | ${r.txs} | ${r.p50} | ${r.cpuMsPerTx.toFixed(2)} | ${r.errors} |`),
    '',
    'The load generator runs on the same machine; with as many workers as CPUs it shares their cores, so that figure is a lower bound.',
  ];
  console.log(lines.join('\n'));
}

await main();
