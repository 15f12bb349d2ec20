// Benchmark of @cmpkit/protection against bare WebCrypto, in the same process.
//
//   pnpm -r build && node bench/protection.mjs [--time=<ms per measurement>] [--peculiar]
//
// "bare" is the least a hand-written implementation on the same codec must do:
//   protect: encodeProtectedPart + crypto.subtle.sign (or key derivation + HMAC for MACs);
//   verify:  receivedProtectedPart + crypto.subtle.verify with an already imported public key
//            (or key derivation + HMAC).
// verifyProtection is measured with the signer certificate pinned as trust anchor (no further
// signature check, like the bare verify) and with a path to the root (one more signature check),
// each without and with a CertificateCache (createCertificateCache(): parsed certificates,
// imported keys and verified certificate signatures reused across calls).
// Overhead = bare ops/s / cmpkit ops/s - 1.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  decodePKIMessage,
  decodePemBlock,
  encodePKIMessage,
  encodeProtectedPart,
  receivedProtectedPart,
} from '../packages/codec/dist/index.js';
import {
  createCertificateCache,
  importPrivateKey,
  parseCertificate,
  protect,
  verifyProtection,
} from '../packages/protection/dist/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const text = (p) => readFileSync(`${root}${p}`, 'utf8');
const bytes = (p) => new Uint8Array(readFileSync(`${root}${p}`));
const cert = (name) => decodePemBlock(text(`fixtures/protection/pki/${name}.pem`), 'CERTIFICATE');
const keyPem = (name) => text(`fixtures/protection/pki/${name}.key`);

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const TIME = Number(args.get('time') ?? 2100);
// --peculiar: @peculiar/webcrypto, resolved from the protection package (its devDependency).
const peculiar = () => createRequire(new URL('../packages/protection/package.json', import.meta.url)).resolve('@peculiar/webcrypto');
const crypto = args.has('peculiar') ? new (await import(pathToFileURL(peculiar()).href)).Crypto() : globalThis.crypto;
const at = new Date('2027-06-01T00:00:00Z');

/** Wall-clock ops/s and CPU microseconds per op (all threads of this process) over about `ms`. */
async function rate(op, ms) {
  let n = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 5; i++) await op();
    n += 5;
    now = performance.now();
  }
  const used = process.cpuUsage(cpu);
  return { ops: (n * 1000) / (now - start), cpu: (used.user + used.system) / n };
}

const ROUNDS = 7;
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/**
 * Bare and cmpkit measured in alternating rounds so that load changes on the machine hit both
 * alike; medians of the rounds. CPU time per op is the robust figure on a busy machine.
 */
async function compare(bare, cmpkit) {
  for (let i = 0; i < 20; i++) {
    await bare();
    await cmpkit();
  }
  const b = [];
  const c = [];
  for (let r = 0; r < ROUNDS; r++) {
    b.push(await rate(bare, TIME / ROUNDS));
    c.push(await rate(cmpkit, TIME / ROUNDS));
  }
  return {
    bareOps: median(b.map((x) => x.ops)),
    cmpkitOps: median(c.map((x) => x.ops)),
    bareCpu: median(b.map((x) => x.cpu)),
    cmpkitCpu: median(c.map((x) => x.cpu)),
  };
}

function genmFrom(certificate) {
  const { header, body } = decodePKIMessage(bytes('fixtures/der/openssl-3.0/genm.der'));
  const { protectionAlg: _a, senderKID: _k, ...rest } = header;
  return {
    header: certificate ? { ...rest, sender: { type: 'directoryName', value: parseCertificate(certificate).subject } } : rest,
    body,
  };
}

const rows = [];
async function row(algorithm, operation, bareOp, cmpkitOp) {
  rows.push({ algorithm, operation, ...(await compare(bareOp, cmpkitOp)) });
}

// ---- Signatures -----------------------------------------------------------------------------
const SIGNERS = [
  { label: 'ECDSA P-256 / SHA-256', name: 'ee-p256', root: 'root-ec', sign: { name: 'ECDSA', hash: 'SHA-256' } },
  { label: 'ECDSA P-384 / SHA-384', name: 'ee-p384', root: 'root-ec', sign: { name: 'ECDSA', hash: 'SHA-384' } },
  { label: 'RSA-2048 PKCS#1 v1.5 / SHA-256', name: 'ee-rsa', root: 'root-rsa', sign: { name: 'RSASSA-PKCS1-v1_5' } },
  { label: 'RSA-2048 PSS / SHA-256', name: 'ee-rsa', root: 'root-rsa', sign: { name: 'RSA-PSS', saltLength: 32 }, key: { rsa: 'RSA-PSS' } },
  { label: 'Ed25519', name: 'ee-ed25519', root: 'root-ec', sign: { name: 'Ed25519' } },
];

for (const s of SIGNERS) {
  const certificate = cert(s.name);
  let privateKey;
  try {
    privateKey = await importPrivateKey(keyPem(s.name), { crypto, ...(s.key ?? {}) });
  } catch (e) {
    console.log(`skip ${s.label}: ${e.message}`);
    continue;
  }
  const message = genmFrom(certificate);
  const credential = { privateKey, certificate };
  const signed = await protect(message, credential, { crypto });
  const received = decodePKIMessage(encodePKIMessage(signed));
  const data = receivedProtectedPart(received);
  const spki = parseCertificate(certificate).subjectPublicKeyInfoDer;
  const importParams = s.sign.name === 'ECDSA' ? { name: 'ECDSA', namedCurve: privateKey.algorithm.namedCurve } : privateKey.algorithm;
  const publicKey = await crypto.subtle.importKey('spki', spki, importParams, false, ['verify']);
  const rawSignature = new Uint8Array(await crypto.subtle.sign(s.sign, privateKey, data));

  const bareSign = () => crypto.subtle.sign(s.sign, privateKey, encodeProtectedPart(signed));
  await row(s.label, 'protect', bareSign, () => protect(message, credential, { crypto }));

  const bareVerify = () => crypto.subtle.verify(s.sign, publicKey, rawSignature, receivedProtectedPart(received));
  const pinned = { signature: { anchors: [certificate] } };
  const pathTrust = { signature: { anchors: [cert(s.root)] } };
  const check = await verifyProtection(received, pathTrust, { crypto, at });
  if (check.type !== 'signature') throw new Error('verification failed');
  await row(s.label, 'verify, pinned', bareVerify, () => verifyProtection(received, pinned, { crypto, at }));
  await row(s.label, 'verify, path', bareVerify, () => verifyProtection(received, pathTrust, { crypto, at }));
  const cache = createCertificateCache();
  await row(s.label, 'verify, pinned, cache', bareVerify, () => verifyProtection(received, pinned, { crypto, at, cache }));
  await row(s.label, 'verify, path, cache', bareVerify, () => verifyProtection(received, pathTrust, { crypto, at, cache }));
}

// ---- MACs -----------------------------------------------------------------------------------
const secret = new TextEncoder().encode('perf-test-secret');
const salt = new Uint8Array(16).fill(9);
const MACS = [
  {
    label: 'PBMAC1 PBKDF2-SHA256 x10000 / HMAC-SHA256',
    mac: { algorithm: 'PBMAC1', salt },
    bare: async (data) => {
      const base = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, ['deriveBits']);
      const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 10_000 }, base, 256);
      const key = await crypto.subtle.importKey('raw', bits, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      return crypto.subtle.sign('HMAC', key, data);
    },
  },
  {
    label: 'PasswordBasedMac SHA-256 x500 / HMAC-SHA256',
    mac: { algorithm: 'PasswordBasedMac', salt, iterationCount: 500 },
    bare: async (data) => {
      let k = new Uint8Array([...secret, ...salt]);
      for (let i = 0; i < 500; i++) k = new Uint8Array(await crypto.subtle.digest('SHA-256', k));
      const key = await crypto.subtle.importKey('raw', k, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      return crypto.subtle.sign('HMAC', key, data);
    },
  },
];

for (const m of MACS) {
  const message = genmFrom();
  const credential = { secret, senderKID: '3078', mac: m.mac };
  const sent = await protect(message, credential, { crypto });
  const received = decodePKIMessage(encodePKIMessage(sent));
  await row(
    m.label,
    'protect',
    () => m.bare(encodeProtectedPart(sent)),
    () => protect(message, credential, { crypto }),
  );
  await row(
    m.label,
    'verify',
    () => m.bare(receivedProtectedPart(received)),
    () => verifyProtection(received, { mac: { secret } }, { crypto }),
  );
}

// ---- Report -----------------------------------------------------------------------------------
const provider = args.has('peculiar') ? '@peculiar/webcrypto' : `Node ${process.version} WebCrypto`;
console.log(`\n@cmpkit/protection vs bare WebCrypto (${provider}; medians of ${ROUNDS} alternating rounds, ${TIME} ms per side)`);
console.log('CPU = CPU time of this process per operation, all threads (robust when the machine is busy).\n');
const pad = (s, n) => String(s).padEnd(n);
const num = (x, w = 9) => x.toFixed(0).padStart(w);
const pct = (x) => `${(x * 100).toFixed(1).padStart(6)} %`;
console.log(
  `${pad('algorithm', 44)}${pad('operation', 22)}${'bare op/s'.padStart(10)}${'cmpkit op/s'.padStart(12)}${'wall ovh'.padStart(10)}` +
    `${'bare CPU µs'.padStart(13)}${'cmpkit CPU µs'.padStart(15)}${'CPU ovh'.padStart(10)}`,
);
for (const r of rows) {
  console.log(
    `${pad(r.algorithm, 44)}${pad(r.operation, 22)} ${num(r.bareOps)}   ${num(r.cmpkitOps)} ${pct(r.bareOps / r.cmpkitOps - 1)}` +
      `   ${num(r.bareCpu, 10)}   ${num(r.cmpkitCpu, 12)} ${pct(r.cmpkitCpu / r.bareCpu - 1)}`,
  );
}
