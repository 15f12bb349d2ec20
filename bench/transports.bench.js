// Round trips per second per transport: the same CMP server engine (@cmpkit/core createServer
// with an in-memory issuing CA) behind the HTTP (node:http + fetch), TCP and WebSocket adapters on
// 127.0.0.1, plus CoAP (RFC 9482) over UDP and TCP, driven from this process. Two requests:
//   raw:  the transports alone: a handler that answers every request with the same 1 KiB, so the
//         figure is framing, syscalls and event loop only;
//   genm: a signature-protected genm caCerts through the engine (ECDSA P-256: the server
//         verifies the request and signs the genp, the client signs and verifies), the same
//         request on every transport.
// Each is measured sequentially (one request in flight) and with 8 in flight, in interleaved
// rounds (median). Ratios are against HTTP in the same run. Client and server share the machine's
// cores, so absolute figures are lower bounds; the ratios are what to compare.
import { createServer as createHttpServer } from 'node:http';
import { createCertificateAuthority, createSelfSignedCa, createSubordinateCa, defineProfile, profiles } from '../packages/ca/dist/index.js';
import { decodeSubjectPublicKeyInfo, parseName } from '../packages/codec/dist/index.js';
import { createClient, createServer } from '../packages/core/dist/index.js';
import { httpTransport, toNodeListener } from '../packages/transport-http/dist/index.js';
import { coapTransport, createCoapServer } from '../packages/transport-coap/dist/index.js';
import { createTcpServer, tcpTransport } from '../packages/transport-tcp/dist/index.js';
import { createWsServer, wsTransport } from '../packages/transport-ws/dist/index.js';
import { fmt } from './measure.js';

const ROUNDS = 5;
const ROUND_MS = 700;
const CONCURRENT = 8;

const subtle = globalThis.crypto.subtle;
const ecKey = () => subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const spkiOf = async (pair) => decodeSubjectPublicKeyInfo(new Uint8Array(await subtle.exportKey('spki', pair.publicKey)));

/** The PKI, the engine, and an end entity's signature credential. */
async function engine() {
  const root = await createSelfSignedCa({ subject: '/CN=Bench Root CA' });
  const ca = createCertificateAuthority(await createSubordinateCa(createCertificateAuthority(root), { subject: '/CN=Bench Issuing CA' }));
  const cmpServer = defineProfile({ name: 'cmpServer', keyUsage: ['digitalSignature'], allowSubjectAltName: false });
  const holder = async (subject, profile) => {
    const pair = await ecKey();
    const { certificate } = await ca.issue({ template: { subject: parseName(subject), publicKey: await spkiOf(pair) }, profile });
    return { privateKey: pair.privateKey, certificate, chain: [ca.certificate] };
  };
  const signer = await holder('/CN=Bench CMP Server', cmpServer);
  const ee = await holder('/CN=bench-device', profiles.device);
  const server = createServer({
    name: parseName('/CN=Bench CMP Server'),
    protection: { signer, trustAnchors: [root.certificate] },
    issuer: {
      async certify() {
        throw new Error('not used');
      },
      async confirm() {},
      async revoke() {},
      async caCertificates() {
        return [ca.certificate, root.certificate];
      },
    },
  });
  return { server, ee, root };
}

const RAW_ANSWER = new Uint8Array(1024).fill(0x5a);
const RAW_REQUEST = new Uint8Array(300).fill(0x30);
const rawHandler = async () => RAW_ANSWER;

/** Starts the three servers for `handle`; resolves to client transports and a stop function. */
async function servers(handle) {
  const http = createHttpServer(toNodeListener(handle));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const tcp = createTcpServer({ handle });
  const { port: tcpPort } = await tcp.listen(0, '127.0.0.1');
  const ws = await createWsServer({ handle, port: 0, host: '127.0.0.1', path: '/cmp' });
  const coap = createCoapServer({ handle });
  const { port: coapPort } = await coap.listenUdp(0, '127.0.0.1');
  await coap.listenTcp(coapPort, '127.0.0.1');
  const transports = {
    HTTP: httpTransport({ url: `http://127.0.0.1:${http.address().port}/.well-known/cmp` }),
    TCP: tcpTransport({ host: '127.0.0.1', port: tcpPort }),
    WebSocket: wsTransport({ url: `ws://127.0.0.1:${ws.port}/cmp` }),
    'CoAP UDP': coapTransport({ url: `coap://127.0.0.1:${coapPort}/.well-known/cmp` }),
    'CoAP TCP': coapTransport({ url: `coap+tcp://127.0.0.1:${coapPort}/.well-known/cmp` }),
  };
  return {
    transports,
    async stop() {
      await transports.TCP.close();
      await transports.WebSocket.close();
      await transports['CoAP UDP'].close();
      await transports['CoAP TCP'].close();
      await coap.close();
      await tcp.close();
      await ws.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** Round trips per second of `fn` over `ms`, `concurrency` at a time. */
async function roundTrips(fn, ms, concurrency) {
  let n = 0;
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await fn();
        n++;
      }
    }),
  );
  return (n * 1000) / (performance.now() - start);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median round trips per second per transport, interleaved rounds. */
async function measure(cases, concurrency) {
  const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const fn of Object.values(cases)) await roundTrips(fn, 150, concurrency); // warm up, connect
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(cases)) results[name].push(await roundTrips(fn, ROUND_MS, concurrency));
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
}

function table(title, rows) {
  const http = rows.HTTP;
  const lines = [`### ${title}`, '', '| transport | round trips/s | vs HTTP |', '| --- | ---: | ---: |'];
  for (const [name, value] of Object.entries(rows)) lines.push(`| ${name} | ${fmt(value).trim()} | ${(value / http).toFixed(2)}x |`);
  return lines.join('\n');
}

export async function run() {
  const out = ['## Transports: round trips per second (same server, same request)', ''];
  const raw = await servers(rawHandler);
  try {
    const cases = Object.fromEntries(Object.entries(raw.transports).map(([name, t]) => [name, () => t.send(RAW_REQUEST)]));
    out.push(table('raw: 300-byte request, 1 KiB answer, transports only, 1 in flight', await measure(cases, 1)), '');
    out.push(table(`raw: ${CONCURRENT} in flight`, await measure(cases, CONCURRENT)), '');
  } finally {
    await raw.stop();
  }
  const { server, ee, root } = await engine();
  const full = await servers(server.handle);
  try {
    const cases = Object.fromEntries(
      Object.entries(full.transports).map(([name, transport]) => {
        const client = createClient({ transport, credential: ee, trust: { signature: { anchors: [root.certificate] } } });
        return [name, () => client.getCaCertificates()];
      }),
    );
    out.push(table('genm caCerts through the engine, ECDSA P-256 signatures both ways, 1 in flight', await measure(cases, 1)), '');
    out.push(table(`genm caCerts: ${CONCURRENT} in flight`, await measure(cases, CONCURRENT)));
  } finally {
    await full.stop();
  }
  return out.join('\n');
}
