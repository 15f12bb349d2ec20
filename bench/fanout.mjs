// CA-initiated announcements at fleet scale (issue 19): `cmpkit-server serve` holds N
// authenticated WebSocket connections; an operator rolls the root CA (`ca rollover`: one ckuann to
// every device) and asks five devices to renew (`renew-request`: one rann each). Printed: connect
// rate, server memory per connection, time until the server had written the ckuann to every
// connection, targeted latency (median of 5), server CPU per delivered announcement, idle CPU,
// store growth. Targets (issue 19): 100,000 held and the ckuann to all within 10 s; rann within
// 150 ms at 10,000; idle CPU < 1 % of a core at 10,000; store growth < 1 MB for a broadcast to
// 10,000.
//
// Method:
// - The server is the real `cmpkit-server serve` (SQLite store, durability full, default
//   settings, WebSocket on the HTTP port, request log at info) in a child process of its own
//   (`--workers 0`: no supervising primary), so its CPU (user + system from /proc) and memory
//   (VmRSS) are its own. The fd limit of a process is raised where the system allows (`ulimit
//   -n`); when N does not fit one process's limit the server runs as a cluster (`--workers W`,
//   ~18,000 connections each) and the report says so. The JS heap of a one-process server is read
//   after a full collection, which also ends the connect phase's garbage before the idle window.
// - The devices are bench/fanout-devices.js processes (~18,000 connections each, each from its
//   own loopback source address 127.0.0.x, so N is not bounded by one address's ephemeral ports).
//   Each device has its own certificate from the server's issuing CA and authenticates with a
//   signed genm, as `cmpkit listen --cert` does; refused handshakes (503, admission) are retried
//   after Retry-After.
// - The admin commands run as the separate processes an operator starts. Times are measured from
//   the moment the command stored the announcement (its created_at in the database, same clock)
//   to the server's log line saying the catch-up that delivered it ended (server side) and to the
//   last device's receipt (device side, on the same loaded CPUs).
// - CPU figures are CPU time, robust on a shared machine; wall times depend on the load, which is
//   printed (load average) with the results.
//
// Environment: FANOUT_CONNECTIONS (default 10000), FANOUT_IDLE_SECONDS (default 60),
// FANOUT_ADMISSION ("default", "off", or PER_SECOND[:BURST]), FANOUT_PER_PROCESS (connections per
// process, default 18000), FANOUT_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const serverBin = join(root, 'apps/server/bin/cmpkit-server.js');
const devicesScript = fileURLToPath(new URL('./fanout-devices.js', import.meta.url));
const Database = createRequire(join(root, 'packages/store-sqlite/package.json'))('better-sqlite3');
const { WebSocket } = createRequire(join(root, 'packages/transport-ws/package.json'))('ws');

const N = Number(process.env.FANOUT_CONNECTIONS ?? 10_000);
const IDLE_SECONDS = Number(process.env.FANOUT_IDLE_SECONDS ?? 60);
const PER_PROCESS = Number(process.env.FANOUT_PER_PROCESS ?? 18_000);
const ADMISSION = process.env.FANOUT_ADMISSION ?? 'default';
const CONCURRENCY = 64;
const SERVER_NODE_ARGS = (process.env.FANOUT_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const TARGETED = 5;
/** The devices the renew-requests go to (they enroll over CMP; the others get certificates from the CA directly). */
const TARGETS = Array.from({ length: TARGETED }, (_, i) => Math.floor(((i + 0.5) * N) / TARGETED));
const SECRET = { senderKID: 'fanout', secret: 'fanout-bench-secret' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The fd limit this machine lets a process raise itself to (`ulimit -Hn`), what it may use as soft limit. */
function fdLimit() {
  const hard = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  return hard === 'unlimited' ? 1_048_576 : Number(hard);
}

/** Spawns `args` with the soft fd limit raised to the hard one (and higher where allowed). */
function spawnWithFds(args, options) {
  const script = 'ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"';
  return spawn('sh', ['-c', script, 'sh', ...args], options);
}

/** RSS (KiB) and CPU time (ms) of `pid` and its descendants, from /proc. */
function usage(pid) {
  let rssKiB = 0;
  let cpuMs = 0;
  const visit = (p) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      rssKiB += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      cpuMs += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      for (const task of readdirSync(`/proc/${p}/task`)) {
        for (const child of readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) visit(Number(child));
      }
    } catch {
      // gone
    }
  };
  visit(pid);
  return { rssKiB, cpuMs };
}

async function startServer(dir, workers) {
  const config = join(dir, 'config.json');
  const admission =
    ADMISSION === 'default'
      ? {}
      : ADMISSION === 'off'
        ? { admission: null }
        : {
            admission: {
              connectionsPerSecond: Number(ADMISSION.split(':')[0]),
              burst: Number(ADMISSION.split(':')[1] ?? ADMISSION.split(':')[0]),
            },
          };
  writeFileSync(
    config,
    JSON.stringify({ logLevel: 'info', initialSecret: { reference: SECRET.senderKID, secret: SECRET.secret }, ...admission }),
  );
  const common = ['--data-dir', join(dir, 'ca'), '--config', config];
  const init = spawnSync(process.execPath, [serverBin, 'init', ...common], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`cmpkit-server init failed: ${init.stderr}`);
  // One process is inspected (loopback, a port of its own) for its heap after a full collection:
  // `--workers 0` serves in that process. (Without it the bin supervises one worker, and the
  // inspector would see the primary, whose heap does not grow with the connections.)
  const inspect = workers > 1 ? [] : ['--inspect=127.0.0.1:0'];
  const args = [process.execPath, ...inspect, ...SERVER_NODE_ARGS, serverBin, 'serve', '--port', '0', '--host', '127.0.0.1', ...common];
  args.push('--workers', String(workers > 1 ? workers : 0));
  const child = spawnWithFds(args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // The log is read line by line: the lines the bench needs are kept, of the rest only a tail
  // (one request line per connection would be megabytes at 100,000).
  let tail = '';
  let partial = '';
  const listening = [];
  const catchUps = [];
  let onLine = () => {};
  let inspector;
  child.stderr.on('data', (chunk) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      if (/listening/.test(line)) listening.push(line);
      inspector ??= /^Debugger listening on (ws:\S+)/.exec(line)?.[1];
      const catchUp = /^(\S+) info\s+cmp: announcements stored by another process delivered count=(\d+) ms=(\d+)/.exec(line);
      if (catchUp) catchUps.push({ at: Date.parse(catchUp[1]), count: Number(catchUp[2]), ms: Number(catchUp[3]) });
      tail = (tail + line + '\n').slice(-4000);
    }
    onLine();
  });
  const url = await new Promise((resolve, reject) => {
    onLine = () => {
      const match = listening.map((line) => /listening url=(http\S+)/.exec(line)).find(Boolean);
      const ready = workers > 1 ? listening.filter((line) => /worker listening/.test(line)).length >= workers : true;
      if (match && ready) {
        onLine = () => {};
        resolve(match[1]);
      }
    };
    child.on('exit', (code) => reject(new Error(`cmpkit-server exited (${code}): ${tail}`)));
  });
  return {
    pid: child.pid,
    wsUrl: url.replace(/^http/, 'ws'),
    caDir: join(dir, 'ca'),
    /** The server's JS heap (bytes) after a full garbage collection, when it runs as one process. */
    heapAfterGc: () => (inspector ? heapAfterGc(inspector) : Promise.resolve(undefined)),
    common,
    /** The catch-ups the server logged (`at`, `count`, `ms`), from `from` on. */
    catchUps: (from = 0) => catchUps.slice(from),
    catchUpCount: () => catchUps.length,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** Collects the garbage of the process behind the inspector URL, then reads its heap use (bytes). */
async function heapAfterGc(inspectorUrl) {
  const ws = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let lastId = 0;
  const call = (method) =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      const onMessage = (data) => {
        const reply = JSON.parse(String(data));
        if (reply.id !== id) return;
        ws.off('message', onMessage);
        if (reply.error) reject(new Error(`inspector ${method}: ${reply.error.message}`));
        else resolve(reply.result);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    return (await call('Runtime.getHeapUsage')).usedSize;
  } finally {
    ws.close();
  }
}

function startDevices(server, processes) {
  const groups = [];
  for (let k = 0; k < processes; k++) {
    const first = Math.floor((N * k) / processes);
    const count = Math.floor((N * (k + 1)) / processes) - first;
    const child = spawnWithFds([process.execPath, '--max-old-space-size=8192', devicesScript], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const listeners = new Set();
    let markReady;
    const ready = new Promise((resolve) => (markReady = resolve));
    const state = { child, first, count, last: { connected: 0, refused: 0, failed: 0 }, listeners, ready };
    child.on('message', (message) => {
      if (message.type === 'ready') markReady(message);
      state.last = message;
      for (const listener of [...listeners]) listener(message);
    });
    child.send({
      url: server.wsUrl,
      count,
      first,
      caDir: server.caDir,
      localAddress: `127.0.0.${10 + k}`,
      concurrency: CONCURRENCY,
      enrolled: TARGETS,
      secret: SECRET,
    });
    groups.push(state);
  }
  const ask = (group, message, type) =>
    new Promise((resolve) => {
      const listener = (reply) => {
        if (reply.type !== type) return;
        group.listeners.delete(listener);
        resolve(reply);
      };
      group.listeners.add(listener);
      group.child.send(message);
    });
  return {
    groups,
    ready: () => Promise.all(groups.map((g) => g.ready)),
    status: () => Promise.all(groups.map((g) => ask(g, { type: 'status' }, 'status'))),
    pushes: async (atLeast) => {
      const replies = await Promise.all(groups.map((g) => ask(g, { type: 'pushes', atLeast }, 'pushes')));
      return {
        received: replies.reduce((s, r) => s + r.received, 0),
        total: replies.reduce((s, r) => s + r.total, 0),
        last: Math.max(...replies.map((r) => r.last)),
      };
    },
    reset: () => Promise.all(groups.map((g) => ask(g, { type: 'reset' }, 'reset'))),
    /** Watches device `index` (overall); resolves to its serial and a promise of its next push. */
    watch: async (index) => {
      const group = groups.find((g) => index >= g.first && index < g.first + g.count);
      const local = index - group.first;
      const { serial } = await ask(group, { type: 'watch', index: local }, 'serial');
      const pushed = new Promise((resolve) => {
        const listener = (reply) => {
          if (reply.type !== 'watched' || reply.index !== local) return;
          group.listeners.delete(listener);
          resolve(reply);
        };
        group.listeners.add(listener);
      });
      return { serial, pushed };
    },
    stop: () => Promise.all(groups.map((g) => new Promise((resolve) => (g.child.once('exit', resolve), g.child.send({ type: 'stop' }))))),
  };
}

/** Size of the SQLite file after a checkpoint of its WAL (falls back to file + WAL when it cannot truncate). */
function storeBytes(caDir) {
  const file = join(caDir, 'cmpkit-server.sqlite');
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const size = (f) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return size(file) + size(`${file}-wal`);
}

function readDb(caDir, sql, ...params) {
  const db = new Database(join(caDir, 'cmpkit-server.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).get(...params);
  } finally {
    db.close();
  }
}

function admin(server, ...args) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [serverBin, ...args, ...server.common], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cmpkit-server ${args.join(' ')} failed: ${result.stderr}`);
  return { ms: Date.now() - started, stdout: result.stdout };
}

async function waitFor(what, condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`fanout: ${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function main() {
  const limit = fdLimit();
  const perProcess = Math.min(PER_PROCESS, limit - 500);
  const processes = Math.max(1, Math.ceil(N / perProcess));
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-fanout-'));
  const load = loadavg();
  const server = await startServer(dir, processes);
  const devices = startDevices(server, processes);
  const lines = [];
  try {
    await devices.ready();
    await sleep(2000);
    const baseHeap = await server.heapAfterGc();
    const base = usage(server.pid);

    // Connect: every device authenticated on its own connection.
    const connectStart = Date.now();
    for (const g of devices.groups) g.child.send({ type: 'connect' });
    let half;
    const status = await waitFor(
      'all connections',
      async () => {
        const replies = await devices.status();
        const connected = replies.reduce((s, r) => s + r.connected, 0);
        const failed = replies.reduce((s, r) => s + r.failed, 0);
        if (failed > N / 100) throw new Error(`fanout: ${failed} connections failed`);
        if (!half && connected >= N / 2) {
          // Collected as at N below (where the server can be inspected), so that the slope compares
          // like with like: not the connect phase's garbage at N/2 against a collected heap at N.
          await server.heapAfterGc();
          const measured = usage(server.pid);
          half = { ...measured, connected: (await devices.status()).reduce((s, r) => s + r.connected, 0) };
        }
        const sum = (key) => replies.reduce((s, r) => s + (r[key] ?? 0), 0);
        return connected >= N
          ? { connected, failed, refused: sum('refused'), retried: sum('retried'), dropped: sum('dropped') }
          : undefined;
      },
      3_600_000,
    );
    const connectSeconds = (Date.now() - connectStart) / 1000;
    await sleep(5000);
    const heldHeap = await server.heapAfterGc();
    const held = usage(server.pid);
    const perConnection = ((held.rssKiB - base.rssKiB) * 1024) / N;
    const slope = ((held.rssKiB - half.rssKiB) * 1024) / (N - half.connected);

    // Idle: nothing pending, the connections open (keep-alive pings every 30 s, the safety-net timer every 2 s).
    const idleStart = usage(server.pid);
    const idleWall = Date.now();
    await sleep(IDLE_SECONDS * 1000);
    const idle = usage(server.pid);
    const idlePercent = ((idle.cpuMs - idleStart.cpuMs) / (Date.now() - idleWall)) * 100;

    // Rollover: one ckuann stored once for everyone; the server delivers it on its wake-up.
    const bytesBefore = storeBytes(server.caDir);
    const beforeRollover = usage(server.pid);
    const catchUpsBefore = server.catchUpCount();
    const rollover = admin(server, 'ca', 'rollover');
    const { created_at: storedAt } = readDb(
      server.caDir,
      'SELECT created_at FROM announcements WHERE recipient IS NULL ORDER BY id DESC LIMIT 1',
    );
    const received = await waitFor(
      'the ckuann at every device',
      async () => {
        const p = await devices.pushes(1);
        return p.received >= N ? p : undefined;
      },
      600_000,
    );
    // The server's own account: the catch-ups that delivered it (one per worker), when each ended.
    // A device that reconnected meanwhile got it on connecting (no catch-up line), so once every
    // device has it the lines that came within a few seconds are all there will be.
    let settledAt = Date.now();
    let seenLines = -1;
    const catchUps = await waitFor(
      'the server log of the delivery',
      () => {
        const found = server.catchUps(catchUpsBefore);
        if (found.length !== seenLines) [seenLines, settledAt] = [found.length, Date.now()];
        const complete = found.reduce((s, c) => s + c.count, 0) >= N || (found.length > 0 && Date.now() - settledAt > 5000);
        return complete ? found : undefined;
      },
      60_000,
    );
    const loggedDeliveries = catchUps.reduce((s, c) => s + c.count, 0);
    const serverDone = Math.max(...catchUps.map((c) => c.at));
    const broadcast = usage(server.pid);
    await sleep(1000);
    const bytesAfter = storeBytes(server.caDir);
    const duplicates = received.total - N;

    // Targeted: renew-request for five devices, one at a time.
    await devices.reset();
    const latencies = [];
    const endToEnd = [];
    for (let i = 0; i < TARGETED; i++) {
      const index = TARGETS[i];
      const { serial, pushed } = await devices.watch(index);
      const started = Date.now();
      admin(server, 'renew-request', '--serial', serial, '--before', '+7d');
      const push = await Promise.race([pushed, sleep(60_000).then(() => undefined)]);
      if (!push) throw new Error(`fanout: the rann for device ${index} did not arrive`);
      if (push.types.at(-1) !== 'rann') throw new Error(`fanout: device ${index} got ${push.types.at(-1)}`);
      const { created_at } = readDb(
        server.caDir,
        'SELECT created_at FROM announcements WHERE recipient IS NOT NULL ORDER BY id DESC LIMIT 1',
      );
      latencies.push(push.at - created_at);
      endToEnd.push(push.at - started);
    }
    const targetedPushes = (await devices.pushes(1)).total;

    const workers = processes > 1 ? `${processes} worker processes (cluster)` : 'one process';
    lines.push(
      `## fanout: ${fmt(N)} WebSocket connections (server: ${workers}; devices: ${processes} process${processes > 1 ? 'es' : ''}, fd limit ${fmt(limit)})`,
      '',
      `Load average at start: ${load.map((l) => l.toFixed(1)).join(' ')} on ${readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm).length} CPUs; admission: ${ADMISSION}.`,
      '',
      '| figure | value | target (issue 19) |',
      '| --- | --- | --- |',
      `| connections held (authenticated, signed genm) | ${fmt(status.connected)} (${fmt(status.refused)} handshakes told to retry, ${fmt(status.retried)} closed or timed out before the answer and tried again, ${fmt(status.dropped)} dropped after it and reopened, ${status.failed} failed) | 100,000 |`,
      `| connect rate | ${fmt(N / connectSeconds)} /s (${fmt(connectSeconds, 1)} s); server CPU ${fmt(((held.cpuMs - base.cpuMs) * 1000) / N)} µs per connection (handshake and signed genm) | |`,
      `| server memory per connection (RSS) | ${fmt(perConnection / 1024, 1)} KiB average, ${fmt(slope / 1024, 1)} KiB from N/2 to N | <= 10 KiB |`,
      `| server JS heap per connection (after a full collection) | ${heldHeap === undefined ? 'not measured (cluster)' : `${fmt((heldHeap - baseHeap) / N / 1024, 1)} KiB`} | |`,
      `| idle CPU (${IDLE_SECONDS} s, nothing pending) | ${fmt(idlePercent, 2)} % of a core | < 1 % at 10,000 |`,
      `| ckuann written to every connection (server log) | ${fmt((serverDone - storedAt) / 1000, 2)} s after the command stored it (catch-ups: ${catchUps.map((c) => `${c.ms} ms`).join(', ')}; ${fmt(loggedDeliveries)} deliveries logged by them, the rest on reconnecting) | < 10 s at 100,000 |`,
      `| ckuann received by every device | ${fmt((received.last - storedAt) / 1000, 2)} s (${duplicates} duplicates; the command itself took ${fmt(rollover.ms / 1000, 1)} s) | |`,
      `| server CPU per delivered ckuann | ${fmt(((broadcast.cpuMs - beforeRollover.cpuMs) * 1000) / N, 1)} µs (${fmt(broadcast.cpuMs - beforeRollover.cpuMs)} ms for ${fmt(N)}, reloading the new root included) | |`,
      `| store growth for the broadcast | ${fmt((bytesAfter - bytesBefore) / 1024, 1)} KiB (SQLite file after a WAL checkpoint; the rollover's root CA update included) | < 1 MB at 10,000 |`,
      `| targeted rann (median of ${TARGETED}) | ${fmt(median(latencies))} ms from stored to received (${latencies.join(', ')} ms); ${fmt(median(endToEnd))} ms from the command's start | < 150 ms at 10,000 |`,
      `| pushes to other devices during the targeted phase | ${targetedPushes - TARGETED} | 0 |`,
    );
  } finally {
    await devices.stop().catch(() => {});
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(lines.join('\n'));
}

await main();
