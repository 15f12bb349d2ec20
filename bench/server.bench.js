// cmpkit-server end to end: full ir/ip/certConf/pkiConf transactions against the sample server,
// next to the bare crypto cost of the same transaction, measured in the same run.
//
// Method (what makes the ratio honest):
// - The server is `cmpkit-server serve` in a child process (temporary data directory, SQLite
//   store, default policy with grantImplicitConfirm off so every transaction is the full
//   ir/ip/certConf/pkiConf exchange, request log on). With `taskset` and at least two CPUs it is
//   pinned to CPU 0 (with N workers: CPUs 0..N-1), so "one core" means one core, WebCrypto's
//   thread pool and SQLite's fsync included.
// - The load comes from @cmpkit/core clients in this process over HTTP (concurrency 4 per server
//   worker), pinned to the remaining CPUs, so their CPU is not the server's. When the server
//   takes every CPU (2 workers on a 2-CPU machine) the clients share them and the figure is a
//   lower bound; the table says so.
// - Crypto-only: a child process pinned to the server's first CPU runs, sequentially, exactly the
//   cryptographic operations the server performs for one transaction, with the primitives the
//   server uses (createNodeCrypto: node:crypto signatures and HMAC behind the WebCrypto API;
//   PasswordBasedMac's iterated hash with node:crypto's synchronous SHA-256, as the server's
//   injected digest does):
//     signature: 3 x ECDSA P-256 verify (ir protection, POP, certConf protection)
//                + 3 x ECDSA P-256 sign (certificate, ip protection, pkiConf protection)
//                + the import of the requester's new public key (a raw P-256 point, checked to
//                lie on the curve) that POP verification needs;
//                the requester's chain check is left out (the server caches verified
//                certificates), so the crypto-only figure is an upper bound;
//     MAC:       4 x (PasswordBasedMac key derivation + HMAC) (verify ir, protect ip, verify
//                certConf, protect pkiConf) + new key import and ECDSA verify (POP) + ECDSA
//                sign (certificate).
// - Reported: server tx/s, the server's CPU per transaction (user + system of the server
//   processes from /proc), and the ratios server tx/s / crypto-only tx/s (target >= 60 % on one
//   core) and crypto CPU / server CPU per transaction (the same ratio free of waiting on the
//   client or the disk).
//
// Environment: CMPKIT_BENCH_WORKERS (default "1,2"), CMPKIT_BENCH_DURABILITY (default
// "full,normal"), CMPKIT_BENCH_KINDS (default "signature,mac"), CMPKIT_BENCH_COUNT (signature
// transactions per run, default 1500), CMPKIT_BENCH_SERVER_NODE_ARGS (extra node arguments for the
// server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePem, parseName } from '../packages/codec/dist/index.js';
import { createClient } from '../packages/core/dist/index.js';
import { createNodeCrypto } from '../packages/node-crypto/dist/index.js';
import { createAlgorithmRegistry, defaultAlgorithmProviders, syncDigestProvider } from '../packages/protection/dist/index.js';
import { httpTransport } from '../packages/transport-http/dist/index.js';
import { serverReady } from '../scripts/server-ready.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const self = fileURLToPath(import.meta.url);
const serverBin = join(root, 'apps/server/bin/cmpkit-server.js');
const CONCURRENCY_PER_WORKER = Number(process.env.CMPKIT_BENCH_CONCURRENCY ?? 4);
const PBM_ITERATIONS = 500;
const SECRET = 'bench-secret';
// The server's crypto (apps/server: createNodeCrypto): signatures, HMACs and digests on node:crypto,
// synchronously. The clients and the crypto-only run use it too.
const nodeCrypto = createNodeCrypto();
const subtle = nodeCrypto.subtle;
const list = (name, fallback) =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const WORKERS = list('CMPKIT_BENCH_WORKERS', '1,2').map(Number);
const DURABILITY = list('CMPKIT_BENCH_DURABILITY', 'full,normal');
const KINDS = list('CMPKIT_BENCH_KINDS', 'signature,mac');
const SIGNATURE_TRANSACTIONS = Number(process.env.CMPKIT_BENCH_COUNT ?? 1500);
const MAC_TRANSACTIONS = Math.max(20, Math.round(SIGNATURE_TRANSACTIONS / 4));
const SERVER_NODE_ARGS = (process.env.CMPKIT_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const CPUS = availableParallelism();
// The clients derive PasswordBasedMac keys with node:crypto too, so they do not starve the server.
const clientAlgorithms = createAlgorithmRegistry([
  syncDigestProvider((name, data) => new Uint8Array(createHash(name.replace('-', '').toLowerCase()).update(data).digest())),
  ...defaultAlgorithmProviders,
]);
const HAS_TASKSET = spawnSync('taskset', ['-V']).status === 0;

/** CPU layout for a server with `workers` workers: which CPUs it and the clients get. */
function cpuLayout(workers) {
  const all = Array.from({ length: CPUS }, (_, i) => i);
  if (!HAS_TASKSET || CPUS < 2) return { pinned: false, server: all, clients: all, shared: true };
  const server = all.slice(0, Math.min(workers, CPUS));
  const rest = all.slice(server.length);
  return { pinned: true, server, clients: rest.length ? rest : all, shared: rest.length === 0 };
}

/** Runs `args` under taskset on `cpus` when pinning is possible. */
function pinnedCommand(cpus, pinned, args) {
  return pinned ? ['taskset', ['-c', cpus.join(','), ...args]] : [args[0], args.slice(1)];
}

/** Pins this process (every thread) to `cpus`. */
function pinSelf(cpus) {
  spawnSync('taskset', ['-a', '-cp', cpus.join(','), String(process.pid)], { stdio: 'ignore' });
}

/** Starts cmpkit-server in a child process; resolves to its URL and a stop function. */
async function startServer(dataDir, { workers, durability, layout }) {
  const config = join(dataDir, 'config.json');
  writeFileSync(config, JSON.stringify({ logLevel: 'info', durability, initialSecret: { reference: 'bench', secret: SECRET } }));
  const serveArgs = [serverBin, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dataDir, 'ca'), '--config', config];
  if (workers > 1) serveArgs.push('--workers', String(workers));
  const [command, args] = pinnedCommand(layout.server, layout.pinned, [process.execPath, ...SERVER_NODE_ARGS, ...serveArgs]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const errors = [];
  child.stderr.on('data', (chunk) => {
    const text = chunk.toString();
    if (log.length < 100_000) log += text;
    for (const line of text.split('\n')) if (/ error /.test(line) && errors.length < 5) errors.push(line);
  });
  const url = await serverReady(child).then(
    (ready) => ready.listeners.http,
    (error) => {
      throw new Error(`${error.message}: ${log}`);
    },
  );
  if (workers > 1) await waitForWorkers(() => log, workers);
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { url, stop, caDir: join(dataDir, 'ca'), pid: child.pid, errors };
}

/** Resolves once `workers` workers have logged that they listen. */
async function waitForWorkers(log, workers) {
  const deadline = Date.now() + 60_000;
  while ((log().match(/worker listening/g) ?? []).length < workers) {
    if (Date.now() > deadline) throw new Error(`cmpkit-server: ${workers} workers did not start: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * CPU time (user + system, ms) used so far by `pid` and its child processes; Linux only. With
 * `mainThread`, only their main (JavaScript) threads: the rest is V8's GC helpers and the libuv
 * thread pool.
 */
function treeCpuMs(pid, { mainThread = false } = {}) {
  try {
    const stat = mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
    let ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ 100)
    const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    for (const child of children) ms += treeCpuMs(Number(child), { mainThread }) ?? 0;
    return ms;
  } catch {
    return undefined;
  }
}

const ecKey = () => subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const pemCerts = (file) =>
  decodePem(readFileSync(file, 'utf8'))
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);

/** Runs `count` enrollments with the given clients; resolves to tx/s and failures. */
async function load(clients, count, options) {
  const keys = [];
  for (let i = 0; i < count; i++) keys.push(await ecKey());
  let next = 0;
  let failed = 0;
  const latencies = [];
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        try {
          await client.enroll({ bodyType: 'ir', keyPair: keys[i], subject: parseName(`/CN=bench-${options.label}-${i}`) });
          latencies.push(performance.now() - t);
        } catch (error) {
          failed++;
          if (failed === 1) console.error(`server bench: ${options.label} enrollment failed: ${error.message}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  latencies.sort((a, b) => a - b);
  return {
    txPerSecond: (count - failed) / seconds,
    seconds,
    failed,
    p50: latencies[Math.floor(latencies.length / 2)] ?? 0,
    clientCpuMsPerTx: (cpu.user + cpu.system) / 1000 / count,
  };
}

/** A PasswordBasedMac key: OWF iterated over secret || salt (RFC 9810 section 5.1.3.1). */
function pbmKey(secret, salt) {
  let key = createHash('sha256').update(secret).update(salt).digest();
  for (let i = 1; i < PBM_ITERATIONS; i++) key = createHash('sha256').update(key).digest();
  return key;
}

/** Bare crypto of one server-side transaction, as described at the top; tx/s on one core. */
async function cryptoOnly(kind, ms) {
  const signer = await ecKey();
  const requester = await ecKey();
  const secret = new TextEncoder().encode(SECRET);
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const data = globalThis.crypto.getRandomValues(new Uint8Array(600)); // a protected part / TBSCertificate
  const ecdsa = { name: 'ECDSA', hash: 'SHA-256' };
  const requestSignature = await subtle.sign(ecdsa, requester.privateKey, data);
  const requesterPoint = await subtle.exportKey('raw', requester.publicKey);
  // The new public key arrives in the request: it is imported (and checked to be on the curve) before POP can be verified.
  const pop = async () => {
    const key = await subtle.importKey('raw', requesterPoint, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    await subtle.verify(ecdsa, key, requestSignature, data);
  };
  const mac = async () => {
    const hmacKey = await subtle.importKey('raw', pbmKey(secret, salt), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    await subtle.sign('HMAC', hmacKey, data);
  };
  const transaction =
    kind === 'mac'
      ? async () => {
          await mac(); // verify ir
          await pop(); // import the new key, verify POP
          await subtle.sign(ecdsa, signer.privateKey, data); // certificate
          await mac(); // protect ip
          await mac(); // verify certConf
          await mac(); // protect pkiConf
        }
      : async () => {
          await subtle.verify(ecdsa, requester.publicKey, requestSignature, data); // ir protection
          await pop(); // import the new key, verify POP
          await subtle.sign(ecdsa, signer.privateKey, data); // certificate
          await subtle.sign(ecdsa, signer.privateKey, data); // protect ip
          await subtle.verify(ecdsa, requester.publicKey, requestSignature, data); // certConf
          await subtle.sign(ecdsa, signer.privateKey, data); // protect pkiConf
        };
  for (let i = 0; i < 20; i++) await transaction(); // warm up
  let n = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < ms) {
    await transaction();
    n++;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { txPerSecond: (n * 1000) / (performance.now() - start), cpuMsPerTx: (cpu.user + cpu.system) / 1000 / n };
}

/** {@link cryptoOnly} in a child process pinned like the server's first CPU. */
function cryptoOnlyPinned(kind, layout, ms) {
  const [command, args] = pinnedCommand([layout.server[0]], layout.pinned, [process.execPath, self, '--crypto-only', kind, String(ms)]);
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`crypto-only run failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** One server configuration: starts it, runs the load for each kind, stops it. */
async function measureServer({ workers, durability }) {
  const layout = cpuLayout(workers);
  if (layout.pinned) pinSelf(layout.clients);
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-server-bench-'));
  const server = await startServer(dir, { workers, durability, layout });
  const rows = [];
  try {
    const concurrency = CONCURRENCY_PER_WORKER * workers;
    const transport = () => httpTransport({ url: server.url, timeoutMs: 60_000 });
    const rootCa = pemCerts(join(server.caDir, 'root-ca.pem'));
    const issuingCa = pemCerts(join(server.caDir, 'issuing-ca.pem'));
    const macClient = () =>
      createClient({
        transport: transport(),
        crypto: nodeCrypto,
        trust: { mac: { secret: SECRET } },
        algorithms: clientAlgorithms,
        credential: {
          secret: SECRET,
          senderKID: 'bench',
          mac: { algorithm: 'PasswordBasedMac', owf: 'SHA-256', mac: 'SHA-256', iterationCount: PBM_ITERATIONS },
        },
        trustAnchors: rootCa,
        untrusted: issuingCa,
      });
    const macClients = Array.from({ length: concurrency }, macClient);

    // A signature credential for the signature runs: enrolled with the MAC first.
    const holderKeys = await ecKey();
    const holder = await macClients[0].enroll({ bodyType: 'ir', keyPair: holderKeys, subject: parseName('/CN=bench-holder') });
    const signatureClients = Array.from({ length: concurrency }, () =>
      createClient({
        transport: transport(),
        crypto: nodeCrypto,
        trust: { signature: { anchors: rootCa, untrusted: issuingCa } },
        credential: { privateKey: holderKeys.privateKey, certificate: holder.certificate, chain: issuingCa },
        trustAnchors: rootCa,
        untrusted: issuingCa,
      }),
    );
    await load(signatureClients, 200 * workers, { label: 'warmup' }); // JIT and connection warm-up

    for (const kind of KINDS) {
      const [clients, count] =
        kind === 'mac' ? [macClients, MAC_TRANSACTIONS * workers] : [signatureClients, SIGNATURE_TRANSACTIONS * workers];
      const cpuBefore = treeCpuMs(server.pid);
      const mainBefore = treeCpuMs(server.pid, { mainThread: true });
      const measured = await load(clients, count, { label: kind });
      const cpuAfter = treeCpuMs(server.pid);
      const mainAfter = treeCpuMs(server.pid, { mainThread: true });
      measured.serverMainCpuMsPerTx =
        mainBefore === undefined || mainAfter === undefined ? undefined : (mainAfter - mainBefore) / (count - measured.failed);
      measured.serverCpuMsPerTx =
        cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / (count - measured.failed);
      measured.serverCpuShare =
        cpuBefore === undefined ? undefined : (cpuAfter - cpuBefore) / 1000 / measured.seconds / layout.server.length;
      const bare = cryptoOnlyPinned(kind, layout, 3000);
      rows.push({ kind, count, workers, durability, layout, ...measured, bare });
      if (measured.failed) console.error(`server bench: server errors:\n${server.errors.join('\n')}`);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export async function run() {
  const rows = [];
  for (const workers of WORKERS) {
    for (const durability of DURABILITY) rows.push(...(await measureServer({ workers, durability })));
  }
  const lines = [
    `## cmpkit-server (full ir/ip/certConf/pkiConf over HTTP, ${CPUS} CPUs, ${HAS_TASKSET && CPUS > 1 ? 'server pinned with taskset' : 'not pinned'})`,
    '',
    '| protection | workers (cores) | durability | transactions | failed | server tx/s | p50 ms | server core use | server CPU ms/tx (main thread) | clients CPU ms/tx | crypto-only tx/s per core | crypto-only CPU ms/tx | server / crypto-only tx/s | crypto / server CPU per tx |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const name = r.kind === 'mac' ? `PasswordBasedMac (${PBM_ITERATIONS} it.)` : 'signature (ECDSA P-256)';
    const serverCpu =
      r.serverCpuMsPerTx === undefined
        ? '-'
        : `${r.serverCpuMsPerTx.toFixed(2)}${r.serverMainCpuMsPerTx === undefined ? '' : ` (${r.serverMainCpuMsPerTx.toFixed(2)})`}`;
    const share = r.serverCpuShare === undefined ? '-' : `${(100 * r.serverCpuShare).toFixed(0)} %`;
    const cpuRatio = r.serverCpuMsPerTx === undefined ? '-' : `${((100 * r.bare.cpuMsPerTx) / r.serverCpuMsPerTx).toFixed(0)} %`;
    const cores = `${r.workers} (${r.layout.server.length}${r.layout.shared ? ', shared with clients' : ''})`;
    lines.push(
      `| ${name} | ${cores} | ${r.durability} | ${r.count} | ${r.failed} | ${r.txPerSecond.toFixed(1)} | ${r.p50.toFixed(1)} | ${share} | ${serverCpu} | ${r.clientCpuMsPerTx.toFixed(2)} | ` +
        `${r.bare.txPerSecond.toFixed(1)} | ${r.bare.cpuMsPerTx.toFixed(2)} | ${((100 * r.txPerSecond) / (r.bare.txPerSecond * r.layout.server.length)).toFixed(0)} % | ${cpuRatio} |`,
    );
  }
  lines.push(
    '',
    'Method: see the top of bench/server.bench.js. The server runs in its own processes pinned to its cores; the clients run in the benchmark process on the other cores (or share them when the server takes every core).',
    'Server core use: server CPU time / wall time / its cores (below 100 % means the server waited: on the clients, on fsync, on the shared machine). Server CPU ms/tx: user + system time of the server processes over the run, per transaction; in brackets their main (JavaScript) threads only, the rest being V8 GC helpers and the libuv thread pool.',
    "server / crypto-only tx/s: against the crypto-only limit of the same cores (one core per worker), measured in the same run on the server's core. Target: >= 60 % on one core. crypto / server CPU per tx: the same ratio from CPU time, free of waiting.",
  );
  if (rows.some((r) => r.failed > 0)) process.exitCode = 1;
  return lines.join('\n');
}

if (process.argv[1] === self && process.argv[2] === '--crypto-only') {
  const result = await cryptoOnly(process.argv[3], Number(process.argv[4] ?? 3000));
  process.stdout.write(JSON.stringify(result));
}
