import { beforeAll, describe, expect, it } from 'vitest';
import { profiles } from '@cmpkit/ca';
import { oids } from '@cmpkit/codec';
import {
  createClient,
  createServer,
  loopbackTransport,
  memorySecretStore,
  type CertificationRequest,
  type CertificationResult,
  type ClientInit,
  type Issuer,
  type ServerInit,
  type Transport,
} from '@cmpkit/core';
import type { SignatureCredential } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { MAC_CREDENTIAL, REF, SECRET } from './helpers/scripted-server.js';
import { createTestPki, T0, type TestPki } from './helpers/test-pki.js';

// The client against the real server engine (packages/core/src/server) in the same process.
// The engine itself is tested in test/server; here it stands in for a CA the client must work with.

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});

/** An issuer over the test CA: issues at once, generating the key when asked to. */
function testIssuer(log: string[]): Issuer {
  return {
    async certify(request: CertificationRequest): Promise<CertificationResult> {
      log.push(`certify ${request.bodyType}${request.centralKeyGeneration ? ' central' : ''}`);
      let publicKey = request.publicKey;
      let privateKeyPkcs8: Uint8Array | undefined;
      if (request.centralKeyGeneration) {
        const keyPair = await pki.newKeyPair();
        publicKey = await pki.spkiOf(keyPair.publicKey);
        privateKeyPkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keyPair.privateKey));
      }
      const { certificate } = await pki.ca.issue({
        template: request.template,
        profile: profiles.device,
        ...(publicKey ? { publicKey } : {}),
      });
      return {
        status: 'issued',
        certificate,
        chain: [pki.issuing.certificate],
        caPubs: [pki.root.certificate],
        ...(privateKeyPkcs8 ? { privateKeyPkcs8 } : {}),
      };
    },
    async confirm(_certificate, accepted) {
      log.push(`confirm ${accepted}`);
    },
    async revoke() {
      log.push('revoke');
    },
    async caCertificates() {
      return [pki.root.certificate];
    },
  };
}

/**
 * A server whose signer (which protects responses to signed requests and signs central keys) is
 * the KGA (`kga`, for MAC clients) or the CMP server certificate (`server`), and a client.
 */
function setup(clientInit: Partial<ClientInit> = {}, serverInit: Partial<ServerInit> = {}, signedBy: 'kga' | 'server' = 'kga') {
  const clock = fakeClock({ start: T0 });
  const log: string[] = [];
  const holder = pki[signedBy];
  const signer: SignatureCredential = {
    privateKey: holder.keyPair.privateKey,
    certificate: holder.certificate,
    chain: [pki.issuing.certificate],
  };
  const server = createServer({
    name: holder.subject,
    protection: { signer, secrets: memorySecretStore({ [REF]: SECRET }), trustAnchors: [pki.root.certificate] },
    issuer: testIssuer(log),
    clock: clock.date,
    ...serverInit,
  });
  const inner = loopbackTransport(server.handle);
  const sent: Uint8Array[] = [];
  const transport: Transport = { send: (request, options) => (sent.push(request), inner.send(request, options)) };
  const client = createClient({ transport, credential: MAC_CREDENTIAL, clock: clock.date, sleep: clock.sleep, ...clientInit });
  return { client, log, sent };
}

describe('client against the server engine over loopbackTransport', () => {
  it('ir with a MAC: issued, checked against caPubs, confirmed', async () => {
    const { client, log } = setup();
    const keyPair = await pki.newKeyPair();
    const result = await client.enroll({ keyPair, subject: pki.ee.subject });
    expect(result.path).toEqual([result.certificate, pki.issuing.certificate, pki.root.certificate]);
    expect(log).toEqual(['certify ir', 'confirm true']);
  });

  it('central key generation with a MAC: the key is enveloped for the secret and signed by the KGA', async () => {
    const { client, log } = setup();
    const result = await client.enroll({
      subject: pki.ee.subject,
      centralKeyGeneration: {
        algorithm: {
          algorithm: oids.id_ecPublicKey,
          parameters: { der: Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07) },
        },
        decryptionKey: { password: SECRET },
      },
    });
    expect(result.privateKey).toBeInstanceOf(Uint8Array);
    const key = await crypto.subtle.importKey('pkcs8', result.privateKey!.slice(), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    expect(key.type).toBe('private');
    expect(log).toEqual(['certify ir central', 'confirm true']);
  });

  it('central key generation with a signature: the key is enveloped for the EE certificate, signed by the CMP server', async () => {
    const { client, log } = setup(
      {
        credential: { privateKey: pki.ee.keyPair.privateKey, certificate: pki.ee.certificate, chain: [pki.issuing.certificate] },
        trust: { signature: { anchors: [pki.root.certificate] } },
        trustAnchors: [pki.root.certificate],
      },
      {},
      'server',
    );
    const result = await client.enroll({
      bodyType: 'cr',
      subject: pki.ee.subject,
      centralKeyGeneration: { decryptionKey: { privateKey: pki.ee.keyPair.privateKey, certificate: pki.ee.certificate } },
    });
    expect(result.privateKey).toBeInstanceOf(Uint8Array);
    expect(log).toEqual(['certify cr central', 'confirm true']);
  });

  it('implicit confirmation granted by policy: no certConf', async () => {
    const { client, log, sent } = setup({ implicitConfirm: true }, { policy: { grantImplicitConfirm: true } });
    const result = await client.enroll({ keyPair: await pki.newKeyPair(), subject: pki.ee.subject });
    expect(result.implicitConfirmGranted).toBe(true);
    expect(sent).toHaveLength(1);
    expect(log).toEqual(['certify ir', 'confirm true']);
  });

  it('genm caCerts', async () => {
    const { client } = setup();
    await expect(client.getCaCertificates()).resolves.toEqual([pki.root.certificate]);
  });

  it('rr signed by the holder', async () => {
    const { client, log } = setup(
      {
        credential: { privateKey: pki.ee.keyPair.privateKey, certificate: pki.ee.certificate, chain: [pki.issuing.certificate] },
        trust: { signature: { anchors: [pki.root.certificate] } },
      },
      {},
      'server',
    );
    await expect(client.revoke({ certificate: pki.ee.certificate })).resolves.toMatchObject({ status: 0 });
    expect(log).toEqual(['revoke']);
  });
});
