// No request can stall the others (issue 15): an unrelated request's median latency while 8
// clients send wrong-MAC requests at the largest iteration count the server accepts, against
// its median latency on the idle server, measured in the same run.
//
// Method:
// - cmpkit-server serve in a child process with its defaults (password-based key derivations on
//   one worker thread, at most one at a time, at most 256 waiting) and the shared secret `bench`.
// - Attack: 8 loops in this process, each sending, on a new connection per message, one
//   pre-built genm protected with the right senderKID and a wrong secret at the maximum the
//   default bounds allow: PasswordBasedMac with 10 000 iterations, then PBMAC1 with 100 000. The
//   server verifies the MAC before it looks at the nonce, so the same bytes cost a derivation
//   every time, and the attacker spends nothing per message.
// - Unrelated request: `cmpkit bench --prebuilt` (ir with implicitConfirm, PasswordBasedMac 500
//   iterations as OpenSSL sends it, built before timing), one at a time; its p50 latency.
// - Phases alternate idle / under attack, CMPKIT_BENCH_STALL_ROUNDS (default 3) times per attack,
//   CMPKIT_BENCH_STALL_COUNT (default 60) unrelated transactions each; the figure is the median
//   of the phases' p50. Target: under attack < 3x idle. Wall time on a shared machine is noisy;
//   both phases see the same noise.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePKIMessage, encodePKIMessage, parseName } from '../packages/codec/dist/index.js';
import { protect } from '../packages/protection/dist/index.js';
import { startCmpkitServer } from './server-process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliBin = join(root, 'apps/client/bin/cmpkit.js');
const ROUNDS = Number(process.env.CMPKIT_BENCH_STALL_ROUNDS ?? 3);
const COUNT = Number(process.env.CMPKIT_BENCH_STALL_COUNT ?? 60);
const ATTACKERS = 8;
const TARGET = 3;
const REFERENCE = 'bench';
const SECRET = 'bench-secret';
const ATTACKS = [
  {
    name: 'PasswordBasedMac, 10 000 iterations',
    mac: { algorithm: 'PasswordBasedMac', owf: 'SHA-256', mac: 'SHA-256', iterationCount: 10_000 },
  },
  { name: 'PBMAC1, 100 000 iterations', mac: { algorithm: 'PBMAC1', iterationCount: 100_000 } },
];

/** A genm with the right senderKID and a wrong secret. */
async function attackMessage(mac) {
  const message = {
    header: {
      pvno: 2,
      sender: { type: 'directoryName', value: parseName('/CN=attacker') },
      recipient: { type: 'directoryName', value: [] },
      messageTime: new Date(Math.floor(Date.now() / 1000) * 1000),
      transactionID: globalThis.crypto.getRandomValues(new Uint8Array(16)),
      senderNonce: globalThis.crypto.getRandomValues(new Uint8Array(16)),
    },
    body: { type: 'genm', content: [{ type: 'caCerts' }] },
  };
  return encodePKIMessage(
    await protect(message, { secret: 'a wrong guess', senderKID: REFERENCE, mac }, { macBounds: { maxIterations: 100_000 } }),
  );
}

/** POSTs `body` on a connection of its own; resolves to the answer's bytes. */
function post(port, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent: false,
        headers: { 'content-type': 'application/pkixcmp', connection: 'close' },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** 8 loops sending `body` until `stop()`; counts the answers by failInfo. */
function attack(port, body) {
  let running = true;
  const answers = new Map();
  const loop = async () => {
    while (running) {
      try {
        const answer = decodePKIMessage(await post(port, body));
        const bits = answer.body.type === 'error' ? answer.body.content.pKIStatusInfo.failInfo?.join(',') : answer.body.type;
        answers.set(bits, (answers.get(bits) ?? 0) + 1);
      } catch (error) {
        answers.set(String(error.code ?? error.message), (answers.get(String(error.code ?? error.message)) ?? 0) + 1);
      }
    }
  };
  const loops = Array.from({ length: ATTACKERS }, loop);
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Runs `cmpkit bench --prebuilt` (without blocking this event loop); resolves to its p50 in ms. */
function unrelated(port, caDir) {
  const args = [
    cliBin,
    'bench',
    '--server',
    `http://127.0.0.1:${port}/`,
    '--ref',
    REFERENCE,
    '--secret',
    `pass:${SECRET}`,
    '--mac',
    'pbm',
    '--iterations',
    '500',
    '--trusted',
    join(caDir, 'root-ca.pem'),
    '--prebuilt',
    '--count',
    String(COUNT),
    '--concurrency',
    '1',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c.toString()));
    child.stderr.on('data', (c) => (out += c.toString()));
    child.once('exit', (code) => {
      const p50 = /latency ms {2}p50 ([\d.]+)/.exec(out);
      if (code !== 0 || !p50) reject(new Error(`cmpkit bench failed (${code}):\n${out}`));
      else resolve(Number(p50[1]));
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-stall-'));
  const server = await startCmpkitServer({
    dir,
    dataDir: join(dir, 'ca'),
    config: { initialSecret: { reference: REFERENCE, secret: SECRET } },
  });
  server.dir = join(dir, 'ca');
  const lines = [
    `## No request stalls the others (cmpkit-server, ${ATTACKERS} clients sending wrong-MAC requests)`,
    '',
    `Unrelated request: ir with implicitConfirm, PasswordBasedMac 500 iterations, one at a time (\`cmpkit bench --prebuilt\`); median of ${ROUNDS} phases' p50 over ${COUNT} transactions each, phases alternating idle / under attack.`,
    '',
    '| attack | idle p50 ms | under attack p50 ms | ratio | target < 3x | attack answers |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  try {
    await unrelated(server.port, server.dir); // warm-up
    for (const { name, mac } of ATTACKS) {
      const body = await attackMessage(mac);
      const idle = [];
      const loaded = [];
      const answers = new Map();
      for (let round = 0; round < ROUNDS; round++) {
        idle.push(await unrelated(server.port, server.dir));
        const attackers = attack(server.port, body);
        loaded.push(await unrelated(server.port, server.dir));
        await attackers.stop();
        for (const [k, v] of attackers.answers) answers.set(k, (answers.get(k) ?? 0) + v);
      }
      const ratio = median(loaded) / median(idle);
      if (!(ratio < TARGET)) process.exitCode = 1;
      const summary = [...answers].map(([k, v]) => `${v} ${k}`).join(', ');
      lines.push(
        `| ${name} | ${median(idle).toFixed(1)} | ${median(loaded).toFixed(1)} | ${ratio.toFixed(2)} | ${ratio < TARGET ? 'met' : 'NOT met'} | ${summary} |`,
      );
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(lines.join('\n'));
}

await main();
