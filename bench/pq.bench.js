// Post-quantum enrollment next to ECDSA P-256, in one process and one run (issue 14).
//
// Each case is a complete enrollment between @cmpkit/core's client and server engine over
// loopbackTransport (no network, no store on disk: memory stores), so the CPU measured is the
// protocol and its cryptography on both sides:
// - ecdsa-p256: a device with a P-256 certificate sends a signed cr for a new P-256 key (POP
//   signature); the P-256 CA signs the certificate, the cp and the pkiconf; certConf is signed.
// - ml-dsa-65: the same with ML-DSA-65 everywhere (device certificate, new key, CA, server).
// - kem-mac (ML-KEM-768): a device with an ML-KEM-768 certificate and no signing key (RFC 9810
//   Appendix E Figure 3): unprotected genm KemCiphertextInfo, genp with the ciphertext (signed
//   ML-DSA-65), then a KEM-MAC protected cr for a new ML-KEM-768 key with indirect POP (the
//   certificate comes encrypted in a KEMRecipientInfo), KEM-MAC protected certConf.
// New key pairs are generated inside the timed transaction (a device does that too). ML-DSA and
// ML-KEM run on @noble/post-quantum (Node 20 has no native ones); ECDSA on node:crypto
// (createNodeCrypto), as the sample apps do.
//
// Reported: transactions per CPU-second of this process (user + system; client and server
// together), the ratio to ecdsa-p256 measured in the same rounds, and the bytes on the wire.
// Environment: CMPKIT_BENCH_PQ_ROUNDS (default 5), CMPKIT_BENCH_PQ_TX (transactions per case per
// round, default 8).
import { createCertificateAuthority, createSelfSignedCa, createSubordinateCa, defineProfile } from '../packages/ca/dist/index.js';
import { decodePKIMessage, decodeSubjectPublicKeyInfo, oids, parseName } from '../packages/codec/dist/index.js';
import { createClient, createServer, loopbackTransport, memoryNonceStore } from '../packages/core/dist/index.js';
import { createNodeCrypto } from '../packages/node-crypto/dist/index.js';
import { withPostQuantum } from '../packages/pq-crypto/dist/index.js';

const ROUNDS = Number(process.env.CMPKIT_BENCH_PQ_ROUNDS ?? 5);
const PER_ROUND = Number(process.env.CMPKIT_BENCH_PQ_TX ?? 8);
const crypto = withPostQuantum(createNodeCrypto());
const KEM_USAGES = ['encapsulateBits', 'decapsulateBits'];
const anyKey = defineProfile({
  name: 'bench',
  keyAlgorithms: ['ec:P-256', 'ml-dsa-65', 'ml-kem-768'],
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  extendedKeyUsage: [oids.id_kp_clientAuth],
});
const serverProfile = defineProfile({ name: 'cmpServer', keyAlgorithms: ['ec:P-256', 'ml-dsa-65'], extendedKeyUsage: [oids.id_kp_cmcCA] });

const generate = {
  'ec:P-256': () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']),
  'ml-dsa-65': () => crypto.subtle.generateKey('ML-DSA-65', true, ['sign', 'verify']),
  'ml-kem-768': () => crypto.subtle.generateKey('ML-KEM-768', true, KEM_USAGES),
};
const spki = async (key) => decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', key)));

/** A CA hierarchy of `caKey`, its CMP server, an engine and a device certificate of `deviceKey`. */
async function scenario(caKey, deviceKey) {
  const keyAlgorithm = caKey === 'ec:P-256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'ML-DSA-65' };
  const root = await createSelfSignedCa({ subject: '/CN=Bench Root', keyAlgorithm, crypto });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, crypto }), {
    subject: '/CN=Bench CA',
    keyAlgorithm,
    crypto,
  });
  const ca = createCertificateAuthority({ ...issuing, crypto });
  const serverKeys = await generate[caKey]();
  const server = await ca.issue({
    template: { subject: parseName('/CN=Bench CMP') },
    publicKey: await spki(serverKeys.publicKey),
    profile: serverProfile,
  });
  const deviceKeys = await generate[deviceKey]();
  const subject = parseName('/CN=bench-device');
  const device = await ca.issue({ template: { subject }, publicKey: await spki(deviceKeys.publicKey), profile: anyKey });
  const engine = createServer({
    name: parseName('/CN=Bench CMP'),
    crypto,
    protection: {
      signer: { privateKey: serverKeys.privateKey, certificate: server.certificate, chain: [issuing.certificate] },
      trustAnchors: [root.certificate],
      untrusted: [issuing.certificate],
      kemClients: true,
    },
    stores: { nonces: memoryNonceStore(() => new Date()) },
    policy: { grantImplicitConfirm: false },
    issuer: {
      async certify(request) {
        const { certificate } = await ca.issue({
          template: request.template,
          profile: anyKey,
          ...(request.publicKey ? { publicKey: request.publicKey } : {}),
        });
        return { status: 'issued', certificate, chain: [issuing.certificate] };
      },
      async confirm() {},
      async revoke() {},
    },
  });
  const wire = { bytes: 0, messages: new Map() };
  const inner = loopbackTransport(engine.handle);
  const transport = {
    async send(request, options) {
      const response = await inner.send(request, options);
      for (const der of [request, response]) {
        const type = decodePKIMessage(der).body.type;
        wire.messages.set(type, der.length);
        wire.bytes += der.length;
      }
      return response;
    },
  };
  const trust = { signature: { anchors: [root.certificate], untrusted: [issuing.certificate] } };
  const common = { transport, crypto, trust, trustAnchors: [root.certificate], untrusted: [issuing.certificate] };
  const client =
    deviceKey === 'ml-kem-768'
      ? createClient({
          ...common,
          kem: { privateKey: deviceKeys.privateKey, certificate: device.certificate, chain: [issuing.certificate] },
        })
      : createClient({
          ...common,
          credential: { privateKey: deviceKeys.privateKey, certificate: device.certificate, chain: [issuing.certificate] },
        });
  return {
    wire,
    async enroll() {
      const keyPair = await generate[deviceKey]();
      await client.enroll({ bodyType: 'cr', keyPair, subject });
    },
  };
}

function cpuMicros() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Markdown report. */
export async function run() {
  const cases = {
    'ecdsa-p256': await scenario('ec:P-256', 'ec:P-256'),
    'ml-dsa-65': await scenario('ml-dsa-65', 'ml-dsa-65'),
    'kem-mac (ML-KEM-768, ML-DSA-65 CA)': await scenario('ml-dsa-65', 'ml-kem-768'),
  };
  for (const c of Object.values(cases)) await c.enroll(); // warm up (JIT, caches)
  const rates = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, c] of Object.entries(cases)) {
      const before = cpuMicros();
      for (let i = 0; i < PER_ROUND; i++) await c.enroll();
      rates[name].push((PER_ROUND * 1e6) / (cpuMicros() - before));
    }
  }
  const baseline = median(rates['ecdsa-p256']);
  const lines = [
    '## Post-quantum enrollment (client + server engine in one process, loopback)',
    '',
    `${ROUNDS} interleaved rounds of ${PER_ROUND} transactions per case; medians. CPU = user + system of this process.`,
    '',
    '| case | transactions per CPU-second | vs ecdsa-p256 | bytes per transaction | messages (bytes) |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const [name, c] of Object.entries(cases)) {
    const rate = median(rates[name]);
    const transactions = 1 + ROUNDS * PER_ROUND;
    const sizes = [...c.wire.messages].map(([type, n]) => `${type} ${n}`).join(', ');
    lines.push(
      `| ${name} | ${rate.toFixed(1)} | ${(rate / baseline).toFixed(2)} | ${Math.round(c.wire.bytes / transactions)} | ${sizes} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(await run());
