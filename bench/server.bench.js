// cmpkit-server end to end: full ir/ip/certConf/pkiConf transactions against the sample server
// (a child process on a free loopback port, temporary data directory, default policy with
// grantImplicitConfirm, SQLite store, request log on), driven by @cmpkit/core clients with
// concurrency 4 from this process, MAC-protected (PasswordBasedMac, 500 iterations as OpenSSL
// 3.0 sends) and signature-protected (ECDSA P-256). In the same run, the bare WebCrypto cost of
// what the server must do for one such transaction, done sequentially on one core:
//   MAC:       4 x (PasswordBasedMac key derivation + HMAC key import + HMAC) (verify ir, protect
//              ip, verify certConf, protect pkiConf) + ECDSA verify (POP) + ECDSA sign (certificate)
//   signature: 3 x ECDSA verify (ir protection, POP, certConf protection) + 3 x ECDSA sign
//              (certificate, ip, pkiConf); the requester's chain check (2 more verifies without
//              a cache) is left out, so the figure is an upper bound of the bare cost.
// The ratio server tx/s / crypto-only tx/s shows what the protocol engine, the codec, HTTP and
// SQLite cost on top of the crypto (target >= 60 %). The load generator runs on the same machine
// and takes CPU from the server, so the ratio is a lower bound on machines with few cores.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePem, parseName } from '../packages/codec/dist/index.js';
import { createClient } from '../packages/core/dist/index.js';
import { httpTransport } from '../packages/transport-http/dist/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const serverBin = join(root, 'apps/server/bin/cmpkit-server.js');
const CONCURRENCY = 4;
const PBM_ITERATIONS = 500;
const MAC_TRANSACTIONS = 60;
const SIGNATURE_TRANSACTIONS = 200;
const SECRET = 'bench-secret';
const subtle = globalThis.crypto.subtle;

/** Starts cmpkit-server in a child process; resolves to its URL and a stop function. */
async function startServer(dataDir) {
  const config = join(dataDir, 'config.json');
  writeFileSync(config, JSON.stringify({ logLevel: 'info', policy: { grantImplicitConfirm: true }, initialSecret: { reference: 'bench', secret: SECRET } }));
  const child = spawn(process.execPath, [serverBin, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dataDir, 'ca'), '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      if (log.length < 100_000) log += chunk.toString();
      const match = /listening url=(\S+)/.exec(log);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`cmpkit-server exited early (status ${code}): ${log}`)));
    setTimeout(() => reject(new Error('cmpkit-server did not start within 60 s')), 60_000).unref();
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { url, stop, caDir: join(dataDir, 'ca'), pid: child.pid };
}

/** CPU time (user + system, ms) the process has used so far; Linux only (undefined elsewhere). */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

const ecKey = () => subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const pemCerts = (file) => decodePem(readFileSync(file, 'utf8')).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);

/** Runs `count` enrollments with `CONCURRENCY` clients; resolves to tx/s and failures. */
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
    failed,
    p50: latencies[Math.floor(latencies.length / 2)] ?? 0,
    clientCpuMsPerTx: (cpu.user + cpu.system) / 1000 / count,
  };
}

/** A PasswordBasedMac key: OWF iterated over secret || salt (RFC 9810 section 5.1.3.1). */
async function pbmKey(secret, salt) {
  const input = new Uint8Array(secret.length + salt.length);
  input.set(secret);
  input.set(salt, secret.length);
  let key = new Uint8Array(await subtle.digest('SHA-256', input));
  for (let i = 1; i < PBM_ITERATIONS; i++) key = new Uint8Array(await subtle.digest('SHA-256', key));
  return key;
}

/** Bare crypto of one server-side transaction, as described at the top; resolves to tx/s on one core. */
async function cryptoOnly(kind, ms) {
  const signer = await ecKey();
  const requester = await ecKey();
  const secret = new TextEncoder().encode(SECRET);
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const data = globalThis.crypto.getRandomValues(new Uint8Array(600)); // a protected part / TBSCertificate
  const ecdsa = { name: 'ECDSA', hash: 'SHA-256' };
  const requestSignature = await subtle.sign(ecdsa, requester.privateKey, data);
  const mac = async () => {
    const hmacKey = await subtle.importKey('raw', await pbmKey(secret, salt), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    await subtle.sign('HMAC', hmacKey, data);
  };
  const transaction =
    kind === 'mac'
      ? async () => {
          await mac(); // verify ir
          await subtle.verify(ecdsa, requester.publicKey, requestSignature, data); // POP
          await subtle.sign(ecdsa, signer.privateKey, data); // certificate
          await mac(); // protect ip
          await mac(); // verify certConf
          await mac(); // protect pkiConf
        }
      : async () => {
          await subtle.verify(ecdsa, requester.publicKey, requestSignature, data); // ir protection
          await subtle.verify(ecdsa, requester.publicKey, requestSignature, data); // POP
          await subtle.sign(ecdsa, signer.privateKey, data); // certificate
          await subtle.sign(ecdsa, signer.privateKey, data); // protect ip
          await subtle.verify(ecdsa, requester.publicKey, requestSignature, data); // certConf
          await subtle.sign(ecdsa, signer.privateKey, data); // protect pkiConf
        };
  for (let i = 0; i < 3; i++) await transaction(); // warm up
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

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-server-bench-'));
  const server = await startServer(dir);
  const rows = [];
  try {
    const transport = () => httpTransport({ url: server.url, timeoutMs: 60_000 });
    const rootCa = pemCerts(join(server.caDir, 'root-ca.pem'));
    const issuingCa = pemCerts(join(server.caDir, 'issuing-ca.pem'));
    const macClient = () =>
      createClient({
        transport: transport(),
        trust: { mac: { secret: SECRET } },
        credential: { secret: SECRET, senderKID: 'bench', mac: { algorithm: 'PasswordBasedMac', owf: 'SHA-256', mac: 'SHA-256', iterationCount: PBM_ITERATIONS } },
        trustAnchors: rootCa,
        untrusted: issuingCa,
      });
    const macClients = Array.from({ length: CONCURRENCY }, macClient);

    // A signature credential for the second run: enrolled with the MAC first.
    const holderKeys = await ecKey();
    const holder = await macClients[0].enroll({ bodyType: 'ir', keyPair: holderKeys, subject: parseName('/CN=bench-holder') });
    const signatureClients = Array.from({ length: CONCURRENCY }, () =>
      createClient({
        transport: transport(),
        trust: { signature: { anchors: rootCa, untrusted: issuingCa } },
        credential: { privateKey: holderKeys.privateKey, certificate: holder.certificate, chain: issuingCa },
        trustAnchors: rootCa,
        untrusted: issuingCa,
      }),
    );
    await load(signatureClients, 8, { label: 'warmup' }); // JIT and connection warm-up

    for (const [kind, clients, count] of [
      ['mac', macClients, MAC_TRANSACTIONS],
      ['signature', signatureClients, SIGNATURE_TRANSACTIONS],
    ]) {
      const cpuBefore = cpuMs(server.pid);
      const measured = await load(clients, count, { label: kind });
      const cpuAfter = cpuMs(server.pid);
      measured.serverCpuMsPerTx = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / (count - measured.failed);
      const bare = await cryptoOnly(kind, 3000);
      rows.push({ kind, count, ...measured, bare });
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    `## cmpkit-server (full ir/ip/certConf/pkiConf over HTTP, concurrency ${CONCURRENCY}, ${availableParallelism()} CPUs)`,
    '',
    '| protection | transactions | failed | server tx/s | p50 ms | server CPU ms/tx | clients CPU ms/tx | crypto-only tx/s (one core) | crypto-only CPU ms/tx | server / crypto-only tx/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const name = r.kind === 'mac' ? `PasswordBasedMac (${PBM_ITERATIONS} iterations)` : 'signature (ECDSA P-256)';
    const serverCpu = r.serverCpuMsPerTx === undefined ? '-' : r.serverCpuMsPerTx.toFixed(2);
    lines.push(
      `| ${name} | ${r.count} | ${r.failed} | ${r.txPerSecond.toFixed(1)} | ${r.p50.toFixed(1)} | ${serverCpu} | ${r.clientCpuMsPerTx.toFixed(2)} | ${r.bare.txPerSecond.toFixed(1)} | ` +
        `${r.bare.cpuMsPerTx.toFixed(2)} | ${((100 * r.txPerSecond) / r.bare.txPerSecond).toFixed(0)} % |`,
    );
  }
  lines.push(
    '',
    'Server: a child process (SQLite in a temporary data directory, request log on); the clients run in this process on the same machine.',
    'Server CPU ms/tx: user + system time of the server process (Linux /proc) over the run, per transaction; compare it with the crypto-only CPU ms/tx to tell CPU cost from waiting (SQLite fsync, the shared CPUs). Clients CPU ms/tx: the same for this process, which generates the load on the same CPUs.',
    "Crypto-only: the server's WebCrypto calls of one transaction, sequentially (see the top of bench/server.bench.js). Target: server / crypto-only >= 60 %.",
  );
  if (rows.some((r) => r.failed > 0)) process.exitCode = 1;
  return lines.join('\n');
}
