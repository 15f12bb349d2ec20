import { decodePKIMessage, decodeSubjectPublicKeyInfo, encodePKIMessage, oids, parseName, type DecodedPKIMessage } from '@cmpkit/codec';
import { defineProfile, profiles } from '@cmpkit/ca';
import {
  createClient,
  createRegistrationAuthority,
  createServer,
  loopbackTransport,
  memoryNonceStore,
  memorySecretStore,
  RemoteError,
  type ClientInit,
  type Transport,
} from '@cmpkit/core';
import { protect, ProtectionError } from '@cmpkit/protection';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPqIssuer, createPqPki, crypto, newDsaKeyPair, newKemKeyPair, type PqIssuer, type PqPki } from './pq-pki.js';

// The "Done when" of issue 14 on the engine: an ML-KEM-768 device enrolls with an ML-DSA-65 CA,
// is answered under KEM-based protection, proves possession indirectly (encrCert), gets a central
// key under KEMRecipientInfo, and revokes under its own KEM-based MAC.

const REF = 'device-ref';
const SECRET = 'device-secret-0123456789';
let pki: PqPki;

beforeAll(async () => {
  pki = await createPqPki();
});

/** `undefined` in `clientInit` removes that default. */
function setup(clientInit: { [K in keyof ClientInit]?: ClientInit[K] | undefined } = {}) {
  const issuer: PqIssuer = createPqIssuer(pki);
  const nonces = memoryNonceStore(() => new Date());
  const server = createServer({
    name: pki.server.name,
    crypto,
    protection: {
      signer: { privateKey: pki.server.keyPair.privateKey, certificate: pki.server.certificate, chain: [pki.issuing.certificate] },
      secrets: memorySecretStore({ [REF]: SECRET }),
      trustAnchors: [pki.root.certificate],
      untrusted: [pki.issuing.certificate],
      kem: { privateKey: pki.serverKem.keyPair.privateKey, certificate: pki.serverKem.certificate },
      kemClients: true,
    },
    stores: { nonces },
    issuer,
  });
  const wire: { request: DecodedPKIMessage; response: DecodedPKIMessage }[] = [];
  const inner = loopbackTransport(server.handle);
  const transport: Transport = {
    async send(request, options) {
      const response = await inner.send(request, options);
      wire.push({ request: decodePKIMessage(request), response: decodePKIMessage(response) });
      return response;
    },
  };
  const init: Record<string, unknown> = {
    transport,
    crypto,
    credential: { secret: SECRET, senderKID: REF },
    trust: { mac: { secret: SECRET }, signature: { anchors: [pki.root.certificate], untrusted: [pki.issuing.certificate] } },
    trustAnchors: [pki.root.certificate],
    untrusted: [pki.issuing.certificate],
    serverKemCertificate: pki.serverKem.certificate,
  };
  for (const [key, value] of Object.entries(clientInit)) {
    if (value === undefined) delete init[key];
    else init[key] = value;
  }
  const client = createClient(init as unknown as ClientInit);
  return { client, issuer, wire, server, transport };
}

const kemMac = (m: DecodedPKIMessage): boolean => m.header.protectionAlg?.algorithm === oids.id_KemBasedMac;

describe('post-quantum enrollment against an ML-DSA-65 CA', () => {
  it('an ML-KEM-768 device enrolls, answered under KEM-based MAC, proving possession with encrCert, and later revokes under its KEM key', async () => {
    const { client, issuer, wire } = setup();
    const keyPair = await newKemKeyPair();
    const result = await client.enroll({ keyPair, subject: parseName('/O=PQ/CN=kem-device-1') });
    expect(issuer.log).toEqual(['certify ir encrCert', 'confirm true']);
    expect(wire.map((w) => `${w.request.body.type}->${w.response.body.type}`)).toEqual(['ir->ip', 'certConf->pkiconf']);
    const [ir, certConf] = wire;
    expect(ir!.request.header.generalInfo?.some((i) => i.type === 'kemCiphertextInfo')).toBe(true);
    const popo = ir!.request.body.type === 'ir' ? ir!.request.body.content[0]!.popo : undefined;
    expect(popo).toEqual({ type: 'keyEncipherment', value: { type: 'subsequentMessage', value: 0 } });
    expect(kemMac(ir!.response)).toBe(true);
    expect(kemMac(certConf!.response)).toBe(true);
    const ip = ir!.response.body;
    expect(ip.type === 'ip' && ip.content.response[0]!.certifiedKeyPair!.certOrEncCert.type).toBe('encryptedCert');
    expect(ir!.response.header.pvno).toBe(3);
    const status = certConf!.request.body.type === 'certConf' ? certConf!.request.body.content[0] : undefined;
    expect(status?.hashAlg).toEqual({ algorithm: oids.id_sha256 }); // ML-DSA names no hash: certHash needs hashAlg
    expect(result.path).toEqual([result.certificate, pki.issuing.certificate, pki.root.certificate]);

    // Later: the device holds only its ML-KEM key and certificate and revokes under KEM-based MAC.
    const device = setup({
      credential: undefined,
      serverKemCertificate: undefined,
      kem: { privateKey: keyPair.privateKey, certificate: result.certificate },
    });
    const revoked = await device.client.revoke({ certificate: result.certificate });
    expect(revoked.status).toBe(0);
    expect(device.wire.map((w) => `${w.request.body.type}->${w.response.body.type}`)).toEqual(['genm->genp', 'rr->rp']);
    expect(device.wire[0]!.request.protection).toBeUndefined();
    expect(kemMac(device.wire[1]!.request)).toBe(true);
    expect(device.wire[1]!.request.header.transactionID).toEqual(device.wire[0]!.request.header.transactionID);
    expect(device.issuer.log).toEqual(['revoke by kem']);
  });

  it('central key generation for an ML-KEM device: the key comes under KEMRecipientInfo', async () => {
    const { client } = setup();
    const kemKeys = await newKemKeyPair();
    const { certificate } = await client.enroll({ keyPair: kemKeys, subject: parseName('/O=PQ/CN=kem-device-2') });
    const device = setup({ credential: undefined, serverKemCertificate: undefined, kem: { privateKey: kemKeys.privateKey, certificate } });
    const result = await device.client.enroll({
      bodyType: 'cr',
      subject: parseName('/O=PQ/CN=kem-device-2'),
      centralKeyGeneration: {
        algorithm: { algorithm: oids.id_ml_dsa_44 },
        decryptionKey: { privateKey: kemKeys.privateKey, certificate },
      },
    });
    expect(device.issuer.log).toEqual(['certify cr central', 'confirm true']);
    const cp = device.wire[1]!.response.body;
    const enveloped = cp.type === 'cp' ? cp.content.response[0]!.certifiedKeyPair!.privateKey : undefined;
    expect(enveloped?.type).toBe('envelopedData');
    expect(
      Buffer.from(enveloped!.type === 'envelopedData' ? enveloped!.value.der : []).includes(Buffer.from('2a864886f70d0109100d03', 'hex')),
    ).toBe(true);
    const key = await crypto.subtle.importKey('pkcs8', result.privateKey!.slice(), 'ML-DSA-44', false, ['sign']);
    expect(key.algorithm.name).toBe('ML-DSA-44');
  });

  it('an ML-DSA-44 device enrolls with a signature POP and the CA signs everything with ML-DSA-65', async () => {
    const { client, issuer, wire } = setup({ serverKemCertificate: undefined });
    await client.enroll({ keyPair: await newDsaKeyPair(), subject: parseName('/O=PQ/CN=dsa-device') });
    expect(issuer.log).toEqual(['certify ir', 'confirm true']);
    expect(wire[0]!.response.header.protectionAlg?.algorithm).toBe(oids.id_PBMAC1);
  });
});

describe('POP by challenge-response (popdecc/popdecr) for an ML-KEM key', () => {
  it('the CA challenges under KEMRecipientInfo, the device answers, and the certificate follows', async () => {
    const { client, issuer, wire } = setup({ serverKemCertificate: undefined });
    const result = await client.enroll({
      keyPair: await newKemKeyPair(),
      subject: parseName('/O=PQ/CN=challenged'),
      proofOfPossession: 'challengeResp',
    });
    expect(wire.map((w) => `${w.request.body.type}->${w.response.body.type}`)).toEqual(['ir->popdecc', 'popdecr->ip', 'certConf->pkiconf']);
    const popdecc = wire[0]!.response;
    expect(popdecc.header.pvno).toBe(3);
    const challenge = popdecc.body.type === 'popdecc' ? popdecc.body.content[0] : undefined;
    expect(challenge?.challenge).toEqual(new Uint8Array(0));
    expect(Buffer.from(challenge!.encryptedRand!.der).includes(Buffer.from('060b2a864886f70d0109100d03', 'hex'))).toBe(true);
    expect(issuer.log).toEqual(['certify ir', 'confirm true']);
    expect(result.certificate.length).toBeGreaterThan(0);
  });

  it('a wrong popdecr answer ends the transaction with badPOP and nothing is issued', async () => {
    const { issuer, transport } = setup({ serverKemCertificate: undefined });
    const tampering: Transport = {
      async send(request, options) {
        const message = decodePKIMessage(request);
        if (message.body.type !== 'popdecr') return transport.send(request, options);
        const body = { type: 'popdecr' as const, content: message.body.content.map((n) => n + 1n) };
        const forged = await protect({ header: message.header, body }, { secret: SECRET, senderKID: REF }, { crypto });
        return transport.send(encodePKIMessage(forged), options);
      },
    };
    const cheat = createClient({
      transport: tampering,
      crypto,
      credential: { secret: SECRET, senderKID: REF },
      trust: { mac: { secret: SECRET }, signature: { anchors: [pki.root.certificate] } },
    });
    const error = await cheat
      .enroll({ keyPair: await newKemKeyPair(), subject: parseName('/O=PQ/CN=cheat'), proofOfPossession: 'challengeResp' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).failInfo).toEqual(['badPOP']);
    expect(issuer.log).toEqual([]);
  });
});

describe('a registration authority with an ML-KEM key', () => {
  it('answers the device under KEM-based MAC and asks the ML-DSA-65 CA with its ML-DSA signature', async () => {
    const { server, issuer } = setup();
    const raKeys = await newDsaKeyPair('ML-DSA-65');
    const raName = parseName('/O=PQ/CN=RA');
    const raProfile = defineProfile({ name: 'ra', keyAlgorithms: ['ml-dsa-65'], extendedKeyUsage: [oids.id_kp_cmcRA] });
    const spki = async (key: CryptoKey) => decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', key)));
    const raCert = await pki.ca.issue({ template: { subject: raName }, publicKey: await spki(raKeys.publicKey), profile: raProfile });
    const raKem = await newKemKeyPair();
    const raKemCert = await pki.ca.issue({
      template: { subject: parseName('/O=PQ/CN=RA KEM') },
      publicKey: await spki(raKem.publicKey),
      profile: profiles.pqDevice,
    });
    const upstream = createClient({
      transport: loopbackTransport(server.handle),
      crypto,
      credential: { privateKey: raKeys.privateKey, certificate: raCert.certificate, chain: [pki.issuing.certificate] },
      trust: { signature: { anchors: [pki.root.certificate], untrusted: [pki.issuing.certificate] } },
      trustAnchors: [pki.root.certificate],
    });
    const ra = createRegistrationAuthority({
      name: raName,
      crypto,
      protection: {
        signer: { privateKey: raKeys.privateKey, certificate: raCert.certificate, chain: [pki.issuing.certificate] },
        secrets: memorySecretStore({ [REF]: SECRET }),
        trustAnchors: [pki.root.certificate],
        kem: { privateKey: raKem.privateKey, certificate: raKemCert.certificate },
      },
      upstream,
    });
    const wire: DecodedPKIMessage[] = [];
    const device = createClient({
      transport: {
        send: async (r) => {
          const response = await ra.handle(r);
          wire.push(decodePKIMessage(response));
          return response;
        },
      },
      crypto,
      credential: { secret: SECRET, senderKID: REF },
      trust: { mac: { secret: SECRET } },
      trustAnchors: [pki.root.certificate],
      untrusted: [pki.issuing.certificate],
      serverKemCertificate: raKemCert.certificate,
    });
    await device.enroll({ keyPair: await newDsaKeyPair(), subject: parseName('/O=PQ/CN=behind-ra') });
    expect(wire.map((m) => `${m.body.type}:${kemMac(m)}`)).toEqual(['ip:true', 'pkiconf:true']);
    expect(issuer.log).toEqual(['certify ir', 'confirm true']);
  });
});

describe('post-quantum refusals', () => {
  it('an ML-KEM key with a direct (signature) POP is refused with badPOP', async () => {
    const { client } = setup();
    const keyPair = await newKemKeyPair();
    const error = await client.enroll({ keyPair, subject: parseName('/O=PQ/CN=x'), proofOfPossession: 'signature' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProtectionError); // the client cannot even sign with an ML-KEM key
    const forged = await client
      .enroll({
        keyPair: { publicKey: keyPair.publicKey, privateKey: (await newDsaKeyPair()).privateKey },
        subject: parseName('/O=PQ/CN=x'),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(forged).toBeInstanceOf(RemoteError);
    expect((forged as RemoteError).failInfo).toContain('badPOP');
  });

  it('a ciphertext for another KEM key (wrong ciphertext) makes the KEM-MAC response fail with badMessageCheck', async () => {
    const other = await createPqPki();
    const { client } = setup({ serverKemCertificate: other.serverKem.certificate });
    const error = await client.enroll({ keyPair: await newKemKeyPair(), subject: parseName('/O=PQ/CN=y') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProtectionError);
    expect((error as ProtectionError).failInfo).toEqual(['badMessageCheck']);
  });

  it('a device with the wrong KEM private key for its certificate cannot authenticate (badMessageCheck)', async () => {
    const { client } = setup();
    const kemKeys = await newKemKeyPair();
    const { certificate } = await client.enroll({ keyPair: kemKeys, subject: parseName('/O=PQ/CN=z') });
    const wrong = await newKemKeyPair();
    const device = setup({ credential: undefined, serverKemCertificate: undefined, kem: { privateKey: wrong.privateKey, certificate } });
    const error = await device.client.revoke({ certificate }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).failInfo).toEqual(['badMessageCheck']);
    expect(device.issuer.revoked).toEqual([]);
  });

  it('a replayed KEM ciphertext is refused with badMessageCheck', async () => {
    const { client, wire, transport } = setup();
    await client.enroll({ keyPair: await newKemKeyPair(), subject: parseName('/O=PQ/CN=r') });
    const old = wire[0]!.request;
    // A fresh request (new transaction, new nonce, valid MAC) that carries the old ciphertext.
    const header = {
      ...old.header,
      transactionID: crypto.getRandomValues(new Uint8Array(16)),
      senderNonce: crypto.getRandomValues(new Uint8Array(16)),
    };
    const replay = await protect({ header, body: old.body }, { secret: SECRET, senderKID: REF }, { crypto });
    const response = decodePKIMessage(await transport.send(encodePKIMessage(replay)));
    expect(response.body.type).toBe('error');
    const info = response.body.type === 'error' ? response.body.content.pKIStatusInfo : undefined;
    expect(info?.failInfo).toEqual(['badMessageCheck']);
    expect(info?.statusString?.[0]).toMatch(/KEM ciphertext was used before/);
  });
});
