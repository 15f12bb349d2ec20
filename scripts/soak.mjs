// Soak test (not part of `pnpm test`): two `cmpkit-server serve` instances on one PostgreSQL
// database under a mixed load for a long time, one of them restarted every few minutes.
//
//   npx --yes pnpm@10.34.8 soak                      # 30 minutes, instance B restarted every 5
//   node scripts/soak.mjs --minutes 5 --restart-every 1 --out report.json   (after a build)
//
// Load: enrollments (ir, MAC), key updates (kur, signed) and revocations (rr, signed by the
// holder) over HTTP, TCP and WebSocket against either instance; `renew-request` for some
// certificates (a renewed one must stay valid, the others be revoked at the deadline); listeners
// on TCP and WebSocket at both instances receiving the announcements (crlann, rann). Instance A
// runs throughout; instance B is restarted every --restart-every minutes, alternately stopped
// gracefully (SIGTERM) and killed (SIGKILL of its primary, which takes its worker down too).
// Afterwards every certificate a client holds must be in the database with the status the client
// expects, and A's worker RSS must be flat. PostgreSQL: CMPKIT_SOAK_POSTGRES_URL, else a
// throwaway cluster (scripts/postgres-test-server.sh). Only processes started here are
// signalled, by PID. Prints a report and writes it as JSON to --out.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (pkg) => join(root, 'packages', pkg, 'dist', 'index.js');
const { decodePem, parseName } = await import(dist('codec'));
const { createClient, isTransportError, RemoteError } = await import(dist('core'));
const { httpTransport } = await import(dist('transport-http'));
const { tcpTransport } = await import(dist('transport-tcp'));
const { wsTransport } = await import(dist('transport-ws'));
const { openPostgresServerStore } = await import(dist('store-postgres'));
const { parseCertificate } = await import(dist('protection'));

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'restart-every': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '4' },
    out: { type: 'string', default: 'soak-report.json' },
  },
});
const MINUTES = Number(args.minutes);
const RESTART_EVERY_MS = Number(args['restart-every']) * 60_000;
const CONCURRENCY = Number(args.concurrency);
const SWEEP_SECONDS = 5;
const serverBin = join(root, 'apps/server/bin/cmpkit-server.js');
const work = mkdtempSync(join(tmpdir(), 'cmpkit-soak-'));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 60_000).toFixed(1)} min`;
const say = (text) => console.log(`[soak ${elapsed()}] ${text}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- PostgreSQL -------------------------------------------------------------------------------
let database = process.env.CMPKIT_SOAK_POSTGRES_URL;
// As root the cluster runs as the postgres user, which must reach its directory.
const pgParent = mkdtempSync(join(tmpdir(), 'cmpkit-soak-pg-'));
chmodSync(pgParent, 0o755);
const pgDir = join(pgParent, 'cluster');
if (!database) {
  const run = spawnSync('bash', [join(root, 'scripts/postgres-test-server.sh'), 'start', pgDir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`no PostgreSQL: ${run.stderr}`);
  database = run.stdout.trim();
  process.on('exit', () => {
    spawnSync('bash', [join(root, 'scripts/postgres-test-server.sh'), 'stop', pgDir]);
    rmSync(pgParent, { recursive: true, force: true });
  });
}
say(`PostgreSQL ${database}; work directory ${work}`);

// --- the two instances ------------------------------------------------------------------------
const dataDir = join(work, 'data');
const config = join(work, 'server.json');
writeFileSync(
  config,
  JSON.stringify({
    dataDir,
    database,
    expirySweepSeconds: SWEEP_SECONDS,
    announcementFlushSeconds: 2,
    logLevel: 'info',
    policy: { confirmWaitTime: 60, messageTimeWindow: 60 },
  }),
);
const init = spawnSync(process.execPath, [serverBin, 'init', '--config', config], { encoding: 'utf8' });
if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
const pem = (file) => decodePem(readFileSync(join(dataDir, file), 'utf8')).map((b) => b.der);
const anchors = pem('root-ca.pem');
const untrusted = pem('issuing-ca.pem');

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function vmRss(pid) {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** One instance: fixed ports (kept across restarts), its log in a file, counters from the log. */
async function makeInstance(name) {
  const instance = {
    name,
    port: await freePort(),
    tcpPort: await freePort(),
    lives: [],
    log: createWriteStream(join(work, `${name}.log`)),
    counts: { storeFailures: 0, workerRestarts: 0, errors: 0, warnings: 0 },
    child: undefined,
    workerPid: undefined,
    up: false,
  };
  instance.urls = {
    http: `http://127.0.0.1:${instance.port}/.well-known/cmp`,
    ws: `ws://127.0.0.1:${instance.port}/.well-known/cmp`,
    tcp: { host: '127.0.0.1', port: instance.tcpPort },
  };
  instance.start = () =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          serverBin,
          'serve',
          '--config',
          config,
          '--host',
          '127.0.0.1',
          '--port',
          String(instance.port),
          '--tcp-port',
          String(instance.tcpPort),
        ],
        // SIGUSR2 makes a worker write a heap snapshot (after a full GC): its live heap.
        { stdio: ['ignore', 'pipe', 'pipe'], cwd: work, env: { ...process.env, NODE_OPTIONS: '--heapsnapshot-signal=SIGUSR2' } },
      );
      instance.child = child;
      const life = { started: Date.now(), pid: child.pid, workers: [], rss: [] };
      instance.lives.push(life);
      let buffer = '';
      child.stdout.resume();
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk) => {
        instance.log.write(chunk);
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop();
        for (const line of lines) {
          const worker = /worker listening worker=\d+ pid=(\d+)/.exec(line);
          if (worker) {
            instance.workerPid = Number(worker[1]);
            life.workers.push(instance.workerPid);
            instance.up = true;
            resolve();
          }
          if (line.includes('cmp: store failure')) instance.counts.storeFailures++;
          if (line.includes('worker exited; starting a new one')) instance.counts.workerRestarts++;
          if (/Z error /.test(line)) instance.counts.errors++;
          if (/Z warn /.test(line)) instance.counts.warnings++;
        }
      });
      child.once('exit', (code, signal) => {
        instance.up = false;
        life.ended = Date.now();
        life.exit = signal ?? code;
        reject(new Error(`${name} exited (${signal ?? code}) before listening`));
      });
    });
  instance.stop = async (signal) => {
    const child = instance.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    instance.up = false;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid, signal);
    await exited;
    const workers = instance.lives.at(-1).workers;
    while (workers.some(alive)) await sleep(50); // a worker leaves when its primary is gone
  };
  return instance;
}

const a = await makeInstance('A');
const b = await makeInstance('B');
await Promise.all([a.start(), b.start()]);
say(`A on ${a.urls.http} and tcp:${a.tcpPort}, B on ${b.urls.http} and tcp:${b.tcpPort}`);
process.on('exit', () => {
  for (const instance of [a, b]) if (instance.child?.exitCode === null) process.kill(instance.child.pid, 'SIGKILL');
});

// --- clients -----------------------------------------------------------------------------------
const stats = {}; // "op transport" -> { ok, failed }
const failures = {}; // reason -> count
const held = new Map(); // serial -> { certificate, keyPair, expected, deadline?, renewed? }
let stopping = false;

/** The serial number of a certificate as the store keeps it: lowercase hex without leading zeros. */
const hex = (der) => parseCertificate(der).serialNumber.toString(16);

function count(op, transport, ok, reason) {
  const key = `${op} over ${transport}`;
  stats[key] ??= { ok: 0, failed: 0 };
  stats[key][ok ? 'ok' : 'failed']++;
  if (!ok) failures[`${op}: ${reason}`] = (failures[`${op}: ${reason}`] ?? 0) + 1;
}

function reasonOf(error) {
  if (error instanceof RemoteError) return `RemoteError ${error.failInfo.join(',')} (${error.message.slice(0, 80)})`;
  if (isTransportError(error)) {
    // The innermost code (ECONNREFUSED, UND_ERR_SOCKET, ...), else the message after the URL.
    let inner = error;
    while (inner?.cause !== undefined) inner = inner.cause;
    const code = inner !== error ? inner?.code : undefined;
    return `transport: ${String(code ?? error.message.replace(/^.*? failed: /, '')).slice(0, 80)}`;
  }
  return `${error?.name ?? 'Error'}: ${String(error?.message ?? error).slice(0, 80)}`;
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** A transport to one instance; TCP and WebSocket ones are closed after the operation. */
function transportTo(instance, kind) {
  if (kind === 'http') return { transport: httpTransport({ url: instance.urls.http }), close: async () => {} };
  const transport =
    kind === 'tcp'
      ? tcpTransport({ ...instance.urls.tcp, readTimeoutMs: 20_000 })
      : wsTransport({ url: instance.urls.ws, timeoutMs: 20_000 });
  return { transport, close: () => transport.close() };
}

const newKey = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const signatureClient = (transport, entry) =>
  createClient({
    transport,
    credential: { privateKey: entry.keyPair.privateKey, certificate: entry.certificate, chain: untrusted },
    trust: { signature: { anchors, untrusted } },
    trustAnchors: anchors,
    untrusted,
  });
let devices = 0;

/** Runs `operation` on a random instance and transport; on a transport failure once more on the other instance. */
async function withInstance(op, operation) {
  const kind = pick(['http', 'tcp', 'ws']);
  const first = pick([a, b]);
  for (const instance of [first, first === a ? b : a]) {
    const { transport, close } = transportTo(instance, kind);
    try {
      const result = await operation(transport, instance === first);
      count(op, kind, true);
      return result;
    } catch (error) {
      if (isTransportError(error) && instance === first) {
        count(op, kind, false, `${reasonOf(error)} (then retried on the other instance)`);
        continue;
      }
      count(op, kind, false, reasonOf(error));
      return { error };
    } finally {
      await close().catch(() => {});
    }
  }
  return undefined;
}

async function enroll() {
  const keyPair = await newKey();
  const subject = `/O=soak/CN=device-${++devices}`;
  const result = await withInstance('enroll (ir)', (transport) =>
    createClient({
      transport,
      credential: { secret: 'demo-secret-change-me', senderKID: 'demo' },
      trustAnchors: anchors,
      untrusted,
    }).enroll({
      keyPair,
      subject: parseName(subject),
    }),
  );
  if (result?.certificate) held.set(hex(result.certificate), { certificate: result.certificate, keyPair, expected: 'confirmed', subject });
}

function someHeld(filter = () => true) {
  const candidates = [...held.entries()].filter(([, e]) => e.expected === 'confirmed' && !e.busy && filter(e));
  return candidates.length ? pick(candidates) : undefined;
}

/** A certificate whose renewal deadline is near or past: revoked by the housekeeping, or about to be. */
const nearDeadline = (e) => e.deadline !== undefined && !e.renewed && e.deadline - 10_000 < Date.now();

async function keyUpdate(chosen = someHeld((e) => !nearDeadline(e))) {
  if (!chosen) return;
  const [serial, entry] = chosen;
  entry.busy = true;
  const keyPair = await newKey();
  try {
    const result = await withInstance('key update (kur)', (transport) =>
      signatureClient(transport, entry).keyUpdate({ keyPair, oldCertificate: entry.certificate }),
    );
    if (result?.certificate) {
      held.set(hex(result.certificate), { certificate: result.certificate, keyPair, expected: 'confirmed', subject: entry.subject });
      entry.renewed = true;
    }
  } finally {
    entry.busy = false;
  }
  return serial;
}

async function revoke() {
  // Not a listener's: it must stay able to authenticate to receive announcements.
  const chosen = someHeld((e) => e.deadline === undefined && !e.listener);
  if (!chosen) return;
  const [, entry] = chosen;
  entry.busy = true;
  try {
    const outcome = await withInstance('revocation (rr)', async (transport, firstTry) => {
      try {
        return await signatureClient(transport, entry).revoke({ certificate: entry.certificate, reason: 1 });
      } catch (error) {
        // An rr whose answer was lost on the first instance: the certificate is revoked already.
        if (!firstTry && error instanceof RemoteError && error.failInfo.includes('certRevoked')) return { alreadyRevoked: true };
        throw error;
      }
    });
    if (outcome && !outcome.error) entry.expected = 'revoked';
    else if (outcome?.error) entry.expected = 'unknown'; // not told: checked against the database as "either"
  } finally {
    entry.busy = false;
  }
}

/**
 * renew-request with a deadline 40 s ahead: every third one for a listener (it renews by itself
 * when the revocationWarning arrives: autoRenew), of the others every other one is renewed (kur)
 * by the script before the deadline, the rest must be revoked at the deadline.
 */
let renewRequests = 0;
async function renewRequest() {
  const forListener = renewRequests % 3 === 2;
  const chosen = someHeld((e) => e.deadline === undefined && Boolean(e.listener) === forListener);
  if (!chosen) return;
  const [serial, entry] = chosen;
  const asked = spawnSync(process.execPath, [serverBin, 'renew-request', '--config', config, '--serial', serial, '--before', '+40s'], {
    encoding: 'utf8',
  });
  count('renew-request (CLI)', 'admin', asked.status === 0, asked.stderr.trim().slice(0, 80));
  if (asked.status !== 0) return;
  entry.deadline = Date.now() + 40_000;
  if (forListener) {
    renewRequests++;
    return;
  }
  if (++renewRequests % 2 === 0) {
    await sleep(5_000 + Math.random() * 10_000);
    await keyUpdate([serial, entry]);
  }
}

// Listeners: end entities connected over TCP and WebSocket to each instance, receiving
// announcements; a genm now and then makes them reachable again after a restart.
const announcements = {};
async function startListener(instance, kind) {
  await enroll();
  const [, entry] = [...held.entries()].at(-1);
  entry.listener = true;
  let client;
  const onPush = (message) => client.receivePush(message);
  const transport =
    kind === 'tcp'
      ? tcpTransport({ ...instance.urls.tcp, onPush })
      : wsTransport({ url: instance.urls.ws, onPush, reconnect: {}, onConnect: () => client?.getCaCertificates().catch(() => {}) });
  let pendingRenewalKey;
  let current = entry;
  client = createClient({
    transport,
    credential: { privateKey: entry.keyPair.privateKey, certificate: entry.certificate, chain: untrusted },
    trust: { signature: { anchors, untrusted } },
    trustAnchors: anchors,
    untrusted,
    autoRenew: {
      newKeyPair: async () => {
        pendingRenewalKey = await newKey();
        return pendingRenewalKey;
      },
    },
  });
  client.onAnnouncement(
    (event) => {
      const key = event.type === 'rann' ? `rann ${event.statusName}` : event.type;
      announcements[key] = (announcements[key] ?? 0) + 1;
      // A revocationWarning for the listener's own certificate: it renews by itself (kur).
      event.renewal?.then(
        (result) => {
          count('automatic renewal (kur)', kind, true);
          current.renewed = true;
          current.listener = false;
          current = {
            certificate: result.certificate,
            keyPair: pendingRenewalKey,
            expected: 'confirmed',
            subject: current.subject,
            listener: true,
          };
          held.set(hex(result.certificate), current);
        },
        (error) => count('automatic renewal (kur)', kind, false, reasonOf(error)),
      );
    },
    (error) => {
      const key = `refused: ${reasonOf(error)}`;
      announcements[key] = (announcements[key] ?? 0) + 1;
    },
  );
  const keepReachable = async () => {
    while (!stopping) {
      await client.getCaCertificates().catch(() => {});
      await sleep(15_000);
    }
    await transport.close().catch(() => {});
  };
  return keepReachable();
}

/** The live JS heap of an instance's worker after a full GC, in bytes: the sum of a heap snapshot's nodes. */
async function liveHeap(instance) {
  const snapshots = () => new Set(readdirSync(work).filter((f) => f.endsWith('.heapsnapshot')));
  const before = snapshots();
  process.kill(instance.workerPid, 'SIGUSR2');
  let file;
  let size = -1;
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    file ??= [...snapshots()].find((f) => !before.has(f));
    if (!file) continue;
    const now = statSync(join(work, file)).size;
    if (now === size && now > 0) break;
    size = now;
  }
  if (!file) return undefined;
  const path = join(work, file);
  try {
    const snapshot = JSON.parse(readFileSync(path, 'utf8'));
    const fields = snapshot.snapshot.meta.node_fields;
    const sizeAt = fields.indexOf('self_size');
    let total = 0;
    for (let i = sizeAt; i < snapshot.nodes.length; i += fields.length) total += snapshot.nodes[i];
    return total;
  } catch {
    return undefined; // not complete yet
  } finally {
    unlinkSync(path);
  }
}

// --- run ---------------------------------------------------------------------------------------
const rssSamples = []; // { at, A, Aprimary, B }
const heapSamples = []; // { atMinutes, liveHeap } of A's worker
const sampleRss = () =>
  rssSamples.push({
    atMinutes: (Date.now() - started) / 60_000,
    A: vmRss(a.workerPid),
    Aprimary: vmRss(a.child.pid),
    B: b.up ? vmRss(b.workerPid) : undefined,
  });

const listeners = [startListener(a, 'ws'), startListener(a, 'tcp'), startListener(b, 'ws'), startListener(b, 'tcp')];
const until = started + MINUTES * 60_000;
const restarts = [];

/** About one operation every two seconds per worker: 60 % enrollments, 25 % key updates, 15 % revocations. */
async function loadWorker() {
  while (Date.now() < until) {
    const r = Math.random();
    if (r < 0.6 || held.size < 20) await enroll();
    else if (r < 0.85) await keyUpdate();
    else await revoke();
    await sleep(1000 + Math.random() * 2000);
  }
}

async function restarter() {
  let n = 0;
  while (Date.now() + RESTART_EVERY_MS < until) {
    await sleep(RESTART_EVERY_MS);
    const signal = n++ % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
    const down = Date.now();
    await b.stop(signal);
    await b.start();
    restarts.push({ atMinutes: (down - started) / 60_000, signal, downMs: Date.now() - down });
    say(`restarted B (${signal}), down ${Date.now() - down} ms`);
  }
}

async function admin() {
  while (Date.now() + 60_000 < until) {
    await sleep(45_000);
    await renewRequest();
  }
}

async function sampler() {
  const heapAt = [Math.min(2, MINUTES / 3), MINUTES / 2].map((m) => started + m * 60_000);
  while (Date.now() < until) {
    sampleRss();
    if (heapAt.length && Date.now() >= heapAt[0]) {
      heapAt.shift();
      heapSamples.push({ atMinutes: (Date.now() - started) / 60_000, liveHeap: await liveHeap(a) });
    }
    await sleep(30_000);
  }
  sampleRss();
  heapSamples.push({ atMinutes: (Date.now() - started) / 60_000, liveHeap: await liveHeap(a) });
}

async function progress() {
  while (Date.now() < until) {
    await sleep(60_000);
    const ops = Object.values(stats).reduce((n, s) => n + s.ok + s.failed, 0);
    say(`${ops} operations, ${held.size} certificates held, A RSS ${(vmRss(a.workerPid) / 2 ** 20).toFixed(0)} MiB`);
  }
}

await Promise.all([...Array.from({ length: CONCURRENCY }, loadWorker), restarter(), admin(), sampler(), progress()]);
stopping = true;
say('load finished; waiting for the housekeeping (deadlines, unconfirmed certificates)');
await sleep((SWEEP_SECONDS * 3 + 5) * 1000);
await Promise.race([Promise.all(listeners), sleep(20_000)]);

// --- consistency -------------------------------------------------------------------------------
const store = await openPostgresServerStore(database);
const mismatches = [];
const byStatus = {};
const now = Date.now();
for (const [serial, entry] of held) {
  const stored = await store.certificates.get(serial);
  let expected = entry.expected;
  if (expected === 'confirmed' && entry.deadline !== undefined && entry.deadline < now - SWEEP_SECONDS * 2000 && !entry.renewed)
    expected = 'revoked';
  const actual = stored?.status ?? 'missing';
  byStatus[`${expected} -> ${actual}`] = (byStatus[`${expected} -> ${actual}`] ?? 0) + 1;
  if (expected === 'unknown' ? actual === 'missing' : actual !== expected)
    mismatches.push({ serial, subject: entry.subject, expected, actual });
}
const all = await store.certificates.list();
const heldSerials = new Set(held.keys());
const database_ = {
  certificates: all.length,
  byStatus: all.reduce((m, c) => ((m[c.status] = (m[c.status] ?? 0) + 1), m), {}),
  issuedNotHeld: all
    .filter((c) => c.status === 'issued')
    .map((c) => ({ serial: c.serial, ageSeconds: Math.round((now - c.issuedAt.getTime()) / 1000) })),
  confirmedNotHeldByAnyClient: all.filter((c) => c.status === 'confirmed' && !heldSerials.has(c.serial) && c.profile !== 'ra').length,
  pendingAnnouncements: await store.announcements.pendingCount(),
};
await store.close();
await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);

const mib = (bytes) => (bytes === undefined ? undefined : Math.round((bytes / 2 ** 20) * 10) / 10);
// The first heap snapshot itself raises the worker's RSS for good (V8 keeps the pages it took to
// write it): the warm-up baseline is a sample after it, and no earlier than a quarter of the run.
const warmFrom = Math.max(MINUTES / 4, (heapSamples[0]?.atMinutes ?? 0) + 0.5);
const warm = rssSamples.find((s) => s.atMinutes >= warmFrom) ?? rssSamples[0];
const half = rssSamples.find((s) => s.atMinutes >= MINUTES / 2) ?? rssSamples[0];
const last = rssSamples.at(-1);
const growth = (from, to) => Math.round(((to - from) / from) * 1000) / 10;
const report = {
  minutes: MINUTES,
  restartEveryMinutes: RESTART_EVERY_MS / 60_000,
  operations: stats,
  failures,
  restartsOfB: restarts,
  rss: {
    A: {
      startMiB: mib(rssSamples[0].A),
      afterWarmUpMiB: mib(warm.A),
      afterWarmUpAtMinutes: Math.round(warm.atMinutes * 10) / 10,
      halfTimeMiB: mib(half.A),
      endMiB: mib(last.A),
      growthAfterWarmUpPercent: growth(warm.A, last.A),
      growthSecondHalfPercent: growth(half.A, last.A),
    },
    AliveHeapAfterGc: heapSamples.map((h) => ({ atMinutes: Math.round(h.atMinutes * 10) / 10, MiB: mib(h.liveHeap) })),
    Aprimary: { startMiB: mib(rssSamples[0].Aprimary), endMiB: mib(last.Aprimary) },
    B: b.lives.map((life) => ({ pid: life.pid, exit: life.exit ?? 'running at the end' })),
    samples: rssSamples.map((s) => ({ atMinutes: Math.round(s.atMinutes * 10) / 10, A: mib(s.A), B: mib(s.B) })),
  },
  announcementsReceived: announcements,
  logs: { A: a.counts, B: b.counts },
  consistency: { certificatesHeld: held.size, expectedToStored: byStatus, mismatches },
  database: database_,
};
writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, (key, value) => (key === 'samples' ? `(${value.length} samples, see ${args.out})` : value), 2));
say(`report written to ${args.out}`);
process.exitCode = mismatches.length === 0 ? 0 : 1;
