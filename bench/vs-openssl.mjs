// cmpkit-server against OpenSSL's own CMP mock server, measured with the same client on the same
// transactions: CPU time of each server process per completed transaction.
//
// Method (issue 15):
// - One script (bench/vs-openssl/make-pki.sh) makes the PKI with openssl: root CA, issuing CA,
//   the CMP server certificate (id-kp-cmcCA), an enrolled device certificate and the key every
//   request asks a certificate for. Both servers use it.
// - cmpkit-server: `cmpkit-server serve` in a child process with its default settings (SQLite,
//   durability full, request log on), one process, the PKI as its data directory and the shared
//   secret as its initial secret. It issues and stores every certificate.
// - OpenSSL's mock: `openssl cmp -port 0 -srv_ref .. -srv_secret .. -rsp_cert ..` for the MAC
//   transactions and `openssl cmp -port 0 -srv_cert .. -srv_key .. -srv_trusted .. -rsp_cert ..`
//   for the signed ones (a mock with a secret MAC-protects every response, so signed requests
//   need a mock of their own). C, single thread; it issues nothing and stores nothing (it answers
//   with the fixed -rsp_cert): a strict lower bound for the same messages.
// - The client is `openssl cmp` itself, a new process and a new connection per message
//   (`-keep_alive 0`), one transaction at a time (the mock serves one transaction at a time).
// - Kinds: `pbm` ir + certConf protected with PasswordBasedMac (OpenSSL's default: 500
//   iterations, SHA-256 OWF, HMAC-SHA1); `signed` cr + certConf signed with ECDSA P-256 by the
//   enrolled device certificate (its chain in extraCerts); `implicit` ir with implicitConfirm and
//   PasswordBasedMac (one exchange; both servers grant it).
// - Warm-up: a Node server reaches its steady cost only after V8 has optimized the request path
//   (thousands of requests; before that the JIT compiler's own threads cost more than the
//   requests). cmpkit-server first gets CMPKIT_BENCH_WARMUP transactions of each kind from
//   `cmpkit bench` (full transactions for pbm and signed, `--prebuilt` for implicit), which costs
//   the load generator far less than an `openssl cmp` process per transaction; then both servers
//   get 20 `openssl cmp` transactions of each kind. The mock is C and needs no warm-up.
// - Measured: utime + stime of each server process (all threads: GC helpers and the libuv thread
//   pool count) from /proc/PID/stat, before and after each batch; rounds alternate between the
//   servers and their order, so load from elsewhere on the shared machine falls on both alike.
//   cmpkit-server counts with its supervising primary (treeCpuMs). CPU time per completed
//   transaction does not depend on how fast the client is.
//
// Environment: CMPKIT_BENCH_COUNT (measured transactions per kind and server, default 300),
// CMPKIT_BENCH_WARMUP (cmpkit bench transactions per kind before measuring, default 1500),
// CMPKIT_BENCH_ROUNDS (rounds they are split into, default 6), CMPKIT_BENCH_KINDS (default
// "pbm,signed,implicit"), CMPKIT_BENCH_SERVER_NODE_ARGS (extra node arguments for cmpkit-server,
// e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCmpkitServer, treeCpuMs } from './server-process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const makePki = join(root, 'bench/vs-openssl/make-pki.sh');
const COUNT = Number(process.env.CMPKIT_BENCH_COUNT ?? 300);
const ROUNDS = Number(process.env.CMPKIT_BENCH_ROUNDS ?? 6);
const WARMUP = 20;
const CLI_WARMUP = Number(process.env.CMPKIT_BENCH_WARMUP ?? 1500);
const cliBin = join(root, 'apps/client/bin/cmpkit.js');
const KINDS = (process.env.CMPKIT_BENCH_KINDS ?? 'pbm,signed,implicit').split(',').filter(Boolean);
const SERVER_NODE_ARGS = (process.env.CMPKIT_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const REFERENCE = 'bench';
const SECRET = 'bench-secret';
const TARGET = 2.0;

const KIND_TITLES = {
  pbm: 'ir + certConf, PasswordBasedMac (500 it., HMAC-SHA1)',
  signed: 'cr + certConf, signed ECDSA P-256 (chain in extraCerts)',
  implicit: 'ir with implicitConfirm, PasswordBasedMac',
};

/** The `openssl cmp` client arguments of one transaction of `kind` (same for both servers). */
function clientArgs(kind, port, n, pki) {
  const common = ['cmp', '-server', `127.0.0.1:${port}`, '-keep_alive', '0', '-newkey', pki('new.key.pem'), '-certout', pki('out.pem')];
  const trust = ['-trusted', pki('root-ca.pem'), '-untrusted', pki('issuing-ca.pem')];
  const subject = ['-subject', `/O=cmpkit bench/CN=device ${kind} ${n}`];
  const mac = ['-cmd', 'ir', '-ref', REFERENCE, '-secret', `pass:${SECRET}`];
  switch (kind) {
    case 'pbm':
      return [...common, ...mac, ...trust, ...subject];
    case 'implicit':
      return [...common, ...mac, ...trust, ...subject, '-implicit_confirm'];
    case 'signed':
      return [...common, '-cmd', 'cr', '-cert', pki('device.pem'), '-key', pki('device.key.pem'), ...trust, ...subject];
    default:
      throw new Error(`vs-openssl: unknown kind ${kind}`);
  }
}

/** `cmpkit bench` arguments that warm up `kind` (the same protection as the openssl client's). */
function warmupArgs(kind, port, pki) {
  const common = ['bench', '--server', `http://127.0.0.1:${port}/`, '--trusted', pki('root-ca.pem'), '--untrusted', pki('issuing-ca.pem')];
  const mac = ['--ref', REFERENCE, '--secret', `pass:${SECRET}`, '--mac', 'pbm', '--iterations', '500'];
  const load = ['--count', String(CLI_WARMUP), '--concurrency', '4'];
  switch (kind) {
    case 'pbm':
      return [...common, ...mac, ...load];
    case 'implicit':
      return [...common, ...mac, '--prebuilt', ...load];
    case 'signed':
      return [...common, '--cert', pki('device.pem'), '--key', pki('device.key.pem'), ...load];
    default:
      throw new Error(`vs-openssl: unknown kind ${kind}`);
  }
}

/** Warms cmpkit-server up with `cmpkit bench`. */
function warmUp(kind, port, pki) {
  if (CLI_WARMUP <= 0) return;
  const result = spawnSync(process.execPath, [cliBin, ...warmupArgs(kind, port, pki)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`warm-up with cmpkit bench (${kind}) failed:\n${result.stdout}${result.stderr}`);
}

/** Starts `openssl cmp -port 0 ...args` (the mock server) and resolves once it listens (`ACCEPT host:port`). */
function startMock(name, args) {
  const child = spawn('openssl', ['cmp', '-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      if (output.length < 200_000) output += chunk.toString();
      const match = /^ACCEPT \S+:(\d+) /m.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited early (status ${code}):\n${output}`)));
    setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${output}`)), 60_000).unref();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return port.then((p) => ({
    name,
    port: p,
    pid: child.pid,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  }));
}

/** Runs one `openssl cmp` client; resolves to true when it exits 0. */
function runClient(args) {
  return new Promise((resolve) => {
    const child = spawn('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk) => {
      if (errors.length < 4000) errors += chunk.toString();
    });
    child.once('exit', (code) => resolve({ ok: code === 0, errors }));
  });
}

/** Runs `count` transactions of `kind` against `server`, one after the other; returns CPU ms and failures. */
async function batch(server, kind, count, start, pki, failures) {
  const before = treeCpuMs(server.pid);
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const outcome = await runClient(clientArgs(kind, server.port, start + i, pki));
    if (!outcome.ok) {
      failed++;
      if (failures.length < 3) failures.push(`${server.name} ${kind}: ${outcome.errors.trim().split('\n').slice(-3).join(' | ')}`);
    }
  }
  return { cpuMs: treeCpuMs(server.pid) - before, completed: count - failed, failed };
}

async function main() {
  if (spawnSync('openssl', ['version']).status !== 0) {
    console.log('## cmpkit-server vs OpenSSL mock server\n\nskipped: no `openssl` on the PATH');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-vs-openssl-'));
  const servers = [];
  try {
    const made = spawnSync('bash', [makePki, join(dir, 'pki')], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`make-pki.sh failed: ${made.stderr}`);
    const pki = (file) => join(dir, 'pki', file);
    const ours = await startCmpkitServer({
      dir,
      dataDir: join(dir, 'pki'),
      config: { initialSecret: { reference: REFERENCE, secret: SECRET } },
      nodeArgs: SERVER_NODE_ARGS,
    });
    servers.push(ours);
    const macMock = await startMock('mock (MAC)', [
      '-srv_ref',
      REFERENCE,
      '-srv_secret',
      `pass:${SECRET}`,
      '-rsp_cert',
      pki('new.pem'),
      '-rsp_extracerts',
      pki('issuing-ca.pem'),
      '-rsp_capubs',
      pki('root-ca.pem'),
      '-grant_implicitconf',
    ]);
    servers.push(macMock);
    const signedMock = await startMock('mock (signature)', [
      '-srv_cert',
      pki('cmp-server.pem'),
      '-srv_key',
      pki('cmp-server.key.pem'),
      '-srv_trusted',
      pki('root-ca.pem'),
      '-srv_untrusted',
      pki('issuing-ca.pem'),
      '-rsp_cert',
      pki('new.pem'),
      '-rsp_extracerts',
      pki('issuing-ca.pem'),
    ]);
    servers.push(signedMock);
    const mockFor = (kind) => (kind === 'signed' ? signedMock : macMock);

    const failures = [];
    const totals = Object.fromEntries(
      KINDS.map((k) => [k, { ours: { cpuMs: 0, completed: 0, failed: 0 }, mock: { cpuMs: 0, completed: 0, failed: 0 } }]),
    );
    let n = 0;
    for (const kind of KINDS) warmUp(kind, ours.port, pki);
    for (const kind of KINDS) {
      await batch(ours, kind, WARMUP, (n += WARMUP), pki, failures);
      await batch(mockFor(kind), kind, WARMUP, (n += WARMUP), pki, failures);
    }
    const perRound = Math.ceil(COUNT / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of KINDS) {
        const pair = [
          ['ours', ours],
          ['mock', mockFor(kind)],
        ];
        if (round % 2 === 1) pair.reverse();
        for (const [side, server] of pair) {
          const result = await batch(server, kind, perRound, (n += perRound), pki, failures);
          const total = totals[kind][side];
          total.cpuMs += result.cpuMs;
          total.completed += result.completed;
          total.failed += result.failed;
        }
      }
    }

    const lines = [
      `## cmpkit-server vs OpenSSL's mock server (${spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim()})`,
      '',
      `Same \`openssl cmp\` client, a new connection per message, ${perRound * ROUNDS} measured transactions per kind and server in ${ROUNDS} alternating rounds, after ${CLI_WARMUP} \`cmpkit bench\` and ${WARMUP} \`openssl cmp\` transactions per kind of warm-up. CPU = utime + stime of the server (every process: the supervising primary and its worker, all threads) per completed transaction.`,
      '',
      '| transaction | cmpkit-server CPU ms/tx | mock CPU ms/tx | ratio | target <= 2.0 | failed (ours / mock) |',
      '| --- | ---: | ---: | ---: | --- | ---: |',
    ];
    for (const kind of KINDS) {
      const { ours: o, mock: m } = totals[kind];
      const oursMs = o.cpuMs / Math.max(1, o.completed);
      const mockMs = m.cpuMs / Math.max(1, m.completed);
      const ratio = oursMs / mockMs;
      lines.push(
        `| ${KIND_TITLES[kind]} | ${oursMs.toFixed(2)} | ${mockMs.toFixed(2)} | ${ratio.toFixed(2)} | ${ratio <= TARGET ? 'met' : 'NOT met'} | ${o.failed} / ${m.failed} |`,
      );
      if (o.failed || m.failed) process.exitCode = 1;
    }
    if (failures.length) lines.push('', 'First failures:', ...failures.map((f) => `- ${f}`));
    console.log(lines.join('\n'));
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
