// The devices of `pnpm bench fanout` (bench/fanout.mjs starts one process of them per ~18,000
// connections): each device gets a certificate from the server's issuing CA (made here, with
// the CA key of the data directory: enrolling 100,000 devices over CMP would measure enrollment,
// not announcements), opens a WebSocket to the server from this process's own loopback source
// address, and makes itself reachable with a signed genm caCerts, as `cmpkit listen` does. A
// handshake refused with 503 is tried again after its Retry-After (spread by a random part of a
// second); one closed or failed before its answer (or not answered within a minute), or answered
// with a CMP error (systemFailure: the server could not record the connection), is tried again
// after a second, and so is an authenticated connection the server closes. Every try sends a
// fresh genm (a reused senderNonce is a replay). Pushes are counted per device, with the time of
// the first; the parent asks over IPC.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createCertificateAuthority, profiles } from '../packages/ca/dist/index.js';
import { decodePKIMessage, decodePem, decodeSubjectPublicKeyInfo, parseName } from '../packages/codec/dist/index.js';
import { createClient } from '../packages/core/dist/index.js';
import { createNodeCrypto } from '../packages/node-crypto/dist/index.js';
import { importPrivateKey, parseCertificate } from '../packages/protection/dist/index.js';
import { httpTransport } from '../packages/transport-http/dist/index.js';

const require = createRequire(new URL('../packages/transport-ws/package.json', import.meta.url));
const { WebSocket } = require('ws');

const crypto = createNodeCrypto();
const KIND = { request: 1, response: 2, push: 3, error: 4 };
const HANDSHAKE_TIMEOUT_MS = 60_000;

/** Requests for the devices' genm, made ahead of the connections that carry them. */
async function deviceFactory({ caDir, first, url, enrolled, secret }) {
  const pem = (file) => decodePem(readFileSync(`${caDir}/${file}`, 'utf8'));
  const issuingCertificate = pem('issuing-ca.pem')[0].der;
  const root = pem('root-ca.pem')[0].der;
  const trust = { signature: { anchors: [root] } };
  const issuingKey = await importPrivateKey(readFileSync(`${caDir}/issuing-ca.key.pem`, 'utf8'), { crypto });
  const ca = createCertificateAuthority({ certificate: issuingCertificate, privateKey: issuingKey, crypto });
  // One key for every device: the server checks each certificate and each signature all the same.
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)));
  const httpUrl = url.replace(/^ws/, 'http');
  return async function device(index) {
    const subject = `/CN=fanout-device-${first + index}`;
    // The devices the targeted announcements go to enroll over CMP: renew-request needs the
    // certificate in the CA's database.
    const { certificate } = enrolled.includes(first + index)
      ? await createClient({ transport: httpTransport({ url: httpUrl }), credential: secret, trustAnchors: [root], crypto }).enroll({
          keyPair: pair,
          subject: parseName(subject),
        })
      : await ca.issue({ template: { subject: parseName(subject), publicKey }, profile: profiles.device });
    let captured;
    const capture = {
      send: async (der) => {
        captured = der;
        throw new Error('captured');
      },
    };
    const client = createClient({
      transport: capture,
      credential: { privateKey: pair.privateKey, certificate, chain: [issuingCertificate] },
      trust,
      crypto,
    });
    /** A signed genm in its envelope, with a fresh senderNonce (a reused one is refused as a replay). */
    const request = async () => {
      await client.getCaCertificates().catch(() => {});
      const envelope = new Uint8Array(5 + captured.length);
      envelope[0] = KIND.request;
      new DataView(envelope.buffer).setUint32(1, 1);
      envelope.set(captured, 5);
      return envelope;
    };
    let ahead = await request();
    // The first handshake's request is made ahead of its connection; later ones when they open.
    const handshake = () => {
      const made = ahead ? Promise.resolve(ahead) : request();
      ahead = undefined;
      return made;
    };
    return { handshake, serial: parseCertificate(certificate).serialNumber.toString(16) };
  };
}

async function run(config) {
  const { url, count, localAddress, concurrency } = config;
  const makeDevice = await deviceFactory(config);
  const sockets = new Array(count);
  const serials = new Array(count);
  const pushes = new Uint16Array(count);
  const firstPushAt = new Float64Array(count);
  const watched = new Map(); // device index -> body types of its pushes
  let connected = 0;
  let refused = 0;
  let failed = 0;
  let retried = 0;
  let dropped = 0;
  let stopping = false;
  let next = 0;
  let inFlight = 0;

  const report = (type, extra = {}) => process.send({ type, connected, refused, failed, retried, dropped, ...extra });

  /** Opens device `index`'s connection again after `ms` (plus up to a second, spread). */
  function reopen(index, handshake, ms) {
    setTimeout(() => open(index, handshake), ms + Math.random() * 1000).unref();
  }

  function open(index, handshake) {
    inFlight++;
    const ws = new WebSocket(url, 'cmp', { localAddress, perMessageDeflate: false });
    let settled = false;
    // A handshake the loaded server never completes is given up and tried again, so that it does
    // not hold one of the `concurrency` slots for good.
    const deadline = setTimeout(() => ws.terminate(), HANDSHAKE_TIMEOUT_MS).unref();
    const settle = () => {
      settled = true;
      inFlight--;
      clearTimeout(deadline);
    };
    const done = (ok) => {
      if (settled) return;
      settle();
      if (ok) {
        connected++;
        sockets[index] = ws;
      }
      pump();
    };
    /** Closed or failed before the answer (reset, timeout, server restart): tried again. */
    const retry = () => {
      if (settled) return;
      settle();
      retried++;
      reopen(index, handshake, 1000);
      pump();
    };
    ws.on('unexpected-response', (_request, response) => {
      response.resume();
      ws.on('error', () => {});
      const wait = Number(response.headers['retry-after'] ?? 1);
      if (response.statusCode === 503) {
        refused++;
        settle();
        reopen(index, handshake, wait * 1000);
        pump();
      } else {
        failed++;
        done(false);
      }
    });
    ws.on('open', () =>
      handshake().then((envelope) => {
        if (ws.readyState === ws.OPEN) ws.send(envelope);
      }),
    );
    ws.on('message', (data) => {
      const kind = data[0];
      if (kind === KIND.response) {
        // A CMP error answer (e.g. systemFailure: the server could not record the connection) leaves
        // the device unreachable there: it tries again, as `cmpkit listen` does.
        const body = decodePKIMessage(new Uint8Array(data.buffer, data.byteOffset + 5, data.byteLength - 5)).body.type;
        if (body !== 'error') return done(true);
        ws.removeAllListeners('close');
        ws.on('close', () => {});
        ws.close();
        return retry();
      } else if (kind === KIND.push) {
        if (pushes[index] === 0) firstPushAt[index] = Date.now();
        pushes[index]++;
        const types = watched.get(index);
        if (types) {
          types.push(decodePKIMessage(new Uint8Array(data.buffer, data.byteOffset + 5, data.byteLength - 5)).body.type);
          report('watched', { index, at: Date.now(), types });
        }
      } else if (kind === KIND.error) {
        failed++;
        done(false);
      }
    });
    ws.on('error', retry);
    ws.on('close', () => {
      if (!settled) return retry();
      if (sockets[index] === ws && !stopping) {
        // An authenticated connection the server closed: the device reconnects, as `cmpkit listen` does.
        sockets[index] = undefined;
        connected--;
        dropped++;
        reopen(index, handshake, 1000);
      }
    });
  }

  let making = Promise.resolve();
  function pump() {
    while (inFlight < concurrency && next < count) {
      const index = next++;
      inFlight++;
      making = making.then(async () => {
        const { handshake, serial } = await makeDevice(index);
        serials[index] = serial;
        inFlight--;
        open(index, handshake);
      });
    }
  }

  process.on('message', (message) => {
    switch (message.type) {
      case 'connect':
        pump();
        break;
      case 'status':
        report('status');
        break;
      case 'pushes': {
        let received = 0;
        let total = 0;
        let last = 0;
        for (let i = 0; i < count; i++) {
          total += pushes[i];
          if (pushes[i] >= message.atLeast) received++;
          if (firstPushAt[i] > last) last = firstPushAt[i];
        }
        report('pushes', { received, total, last });
        break;
      }
      case 'reset':
        pushes.fill(0);
        firstPushAt.fill(0);
        report('reset');
        break;
      case 'watch':
        watched.set(message.index, []);
        report('serial', { index: message.index, serial: serials[message.index] });
        break;
      case 'stop':
        stopping = true;
        for (const ws of sockets) ws?.terminate();
        process.exit(0);
    }
  });
  report('ready');
}

process.once('message', (config) => {
  run(config).catch((error) => {
    console.error(`fanout devices: ${error.stack ?? error}`);
    process.exit(1);
  });
});
