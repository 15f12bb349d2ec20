import { beforeAll, describe, expect, it } from 'vitest';
import { profiles } from '@cmpkit/ca';
import { oids, type CertStatus, type DecodedPKIMessage, type EncryptedKey, type PKIBody } from '@cmpkit/codec';
import { ProtocolError, type CentralKeyGeneration } from '@cmpkit/core';
import { envelopePrivateKey, ProtectionError, type CmsRecipient, type CmsSigner, type SignatureCredential } from '@cmpkit/protection';
import { clientSetup as baseSetup, failureOf } from './helpers/client-setup.js';
import { certRep, PKICONF, SECRET, type Replier } from './helpers/scripted-server.js';
import { createTestPki, type Holder, type TestPki } from './helpers/test-pki.js';

const P256 = {
  algorithm: oids.id_ecPublicKey,
  parameters: { der: Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07) },
};
const MAC_CKG: CentralKeyGeneration = { algorithm: P256, decryptionKey: { password: SECRET } };

let pki: TestPki;
/** A signer that is neither a KGA nor the one protecting the responses. */
let notKga: Holder;

beforeAll(async () => {
  pki = await createTestPki();
  const keyPair = await pki.newKeyPair();
  notKga = { keyPair, certificate: await pki.issue(await pki.spkiOf(keyPair.publicKey), '/O=cmpkit test/CN=not a KGA'), subject: [] };
});

const clientSetup: typeof baseSetup = (script, init, serverInit) =>
  baseSetup(script, init, { extraCerts: [pki.issuing.certificate], ...serverInit });

const signerOf = (holder: Holder): CmsSigner => ({
  privateKey: holder.keyPair.privateKey,
  certificate: holder.certificate,
  chain: [pki.issuing.certificate],
});

interface Generated {
  pkcs8: Uint8Array;
  certificate: Uint8Array;
  privateKey: EncryptedKey;
}

/** What a CA with a KGA does: a new key pair, a certificate for it, the key enveloped and signed. */
async function generate(recipient: CmsRecipient, signer: CmsSigner, certificateFor?: CryptoKeyPair): Promise<Generated> {
  const keyPair = await pki.newKeyPair();
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keyPair.privateKey));
  const certificate = await pki.issue(await pki.spkiOf((certificateFor ?? keyPair).publicKey));
  const privateKey = await envelopePrivateKey(pkcs8, { recipient, signer });
  return { pkcs8, certificate, privateKey };
}

const ipWith =
  (generated: Generated, caPubs: readonly Uint8Array[] = [pki.root.certificate]) =>
  (_: DecodedPKIMessage, reply: Replier) =>
    reply(
      certRep(
        'ip',
        {
          certReqId: 0,
          status: { status: 0 },
          certifiedKeyPair: {
            certOrEncCert: { type: 'certificate', value: { der: generated.certificate } },
            privateKey: generated.privateKey,
          },
        },
        caPubs,
      ),
    );
const pkiconf = (_: DecodedPKIMessage, reply: Replier) => reply(PKICONF);

function certStatusOf(request: DecodedPKIMessage): CertStatus {
  return (request.body as Extract<PKIBody, { type: 'certConf' }>).content[0]!;
}

describe('central key generation (RFC 9483 4.1.6)', () => {
  it('MAC client: asks with the algorithm and an empty key, no POP, pvno 3; opens the key with the secret', async () => {
    const generated = await generate({ type: 'pwri', password: SECRET }, signerOf(pki.kga));
    const { client, server } = clientSetup([ipWith(generated), pkiconf]);
    const result = await client.enroll({ subject: pki.ee.subject, centralKeyGeneration: MAC_CKG });
    expect(result.privateKey).toEqual(generated.pkcs8);
    expect(result.certificate).toEqual(generated.certificate);
    const [ir, certConf] = server.requests;
    expect(ir!.header.pvno).toBe(3);
    expect(certConf!.header.pvno).toBe(3);
    const msg = (ir!.body as Extract<PKIBody, { type: 'ir' }>).content[0]!;
    expect(msg.popo).toBeUndefined();
    expect(msg.certReq.certTemplate.publicKey).toEqual({ algorithm: P256, subjectPublicKey: new Uint8Array(0) });
    expect(certStatusOf(certConf!).statusInfo).toBeUndefined();
  });

  it('without an algorithm the template has no publicKey', async () => {
    const generated = await generate({ type: 'pwri', password: SECRET, keyWrap: 'pwri-kek' }, signerOf(pki.kga));
    const { client, server } = clientSetup([ipWith(generated), pkiconf]);
    const result = await client.enroll({ subject: pki.ee.subject, centralKeyGeneration: { decryptionKey: { password: SECRET } } });
    expect(result.privateKey).toEqual(generated.pkcs8);
    const msg = (server.requests[0]!.body as Extract<PKIBody, { type: 'ir' }>).content[0]!;
    expect(msg.certReq.certTemplate.publicKey).toBeUndefined();
  });

  it('signature client: the key comes to its certificate (kari); a signer that protected the response needs no id-kp-cmKGA', async () => {
    const serverSigner: SignatureCredential = {
      privateKey: pki.server.keyPair.privateKey,
      certificate: pki.server.certificate,
      chain: [pki.issuing.certificate],
    };
    const generated = await generate({ type: 'kari', certificate: pki.ee.certificate }, signerOf(pki.server));
    const { client, server } = clientSetup(
      [ipWith(generated, []), pkiconf],
      {
        credential: { privateKey: pki.ee.keyPair.privateKey, certificate: pki.ee.certificate, chain: [pki.issuing.certificate] },
        trust: { signature: { anchors: [pki.root.certificate] } },
        trustAnchors: [pki.root.certificate],
      },
      { protection: serverSigner },
    );
    const ok = await client.enroll({
      centralKeyGeneration: { algorithm: P256, decryptionKey: { privateKey: pki.ee.keyPair.privateKey, certificate: pki.ee.certificate } },
    });
    expect(server.requests[0]!.header.sender).toEqual({ type: 'directoryName', value: pki.ee.subject });
    expect(ok.privateKey).toEqual(generated.pkcs8);
  });

  it.each<[string, () => Promise<Generated>, string, new (...args: never[]) => Error]>([
    [
      'a signer without id-kp-cmKGA that did not protect the response',
      () => generate({ type: 'pwri', password: SECRET }, signerOf(notKga)),
      'signerNotTrusted',
      ProtectionError,
    ],
    [
      'a KGA of another PKI',
      async () => {
        const rogueKga = await pki.newKeyPair();
        const cert = (
          await pki.rogue.ca.issue({
            template: { subject: pki.kga.subject, publicKey: await pki.spkiOf(rogueKga.publicKey) },
            profile: profiles.kga,
          })
        ).certificate;
        return generate({ type: 'pwri', password: SECRET }, { privateKey: rogueKga.privateKey, certificate: cert });
      },
      'signerNotTrusted',
      ProtectionError,
    ],
    [
      'a key enveloped with another password',
      () => generate({ type: 'pwri', password: 'another secret' }, signerOf(pki.kga)),
      'badMessageCheck',
      ProtectionError,
    ],
    [
      'a key that does not belong to the certificate',
      async () => generate({ type: 'pwri', password: SECRET }, signerOf(pki.kga), await pki.newKeyPair()),
      'badCertTemplate',
      ProtocolError,
    ],
    [
      'no private key',
      async () => {
        const generated = await generate({ type: 'pwri', password: SECRET }, signerOf(pki.kga));
        return { ...generated, privateKey: undefined as unknown as EncryptedKey };
      },
      'badDataFormat',
      ProtocolError,
    ],
  ])('refuses %s: negative certConf, the call rejects', async (_, make, failInfo, type) => {
    const generated = await make();
    const script = generated.privateKey
      ? ipWith(generated)
      : (_: DecodedPKIMessage, reply: Replier) =>
          reply(
            certRep(
              'ip',
              {
                certReqId: 0,
                status: { status: 0 },
                certifiedKeyPair: { certOrEncCert: { type: 'certificate', value: { der: generated.certificate } } },
              },
              [pki.root.certificate],
            ),
          );
    const { client, server } = clientSetup([script, pkiconf]);
    const error = await failureOf(client.enroll({ subject: pki.ee.subject, centralKeyGeneration: MAC_CKG }));
    expect(error).toBeInstanceOf(type);
    expect((error as ProtectionError).failInfo).toEqual([failInfo]);
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'certConf']);
    expect(certStatusOf(server.requests[1]!).statusInfo).toMatchObject({ status: 2, failInfo: [failInfo] });
  });

  it('refuses when there are no anchors to check the KGA with', async () => {
    const generated = await generate({ type: 'pwri', password: SECRET }, signerOf(pki.kga));
    const { client } = clientSetup([ipWith(generated, []), pkiconf]);
    await expect(client.enroll({ subject: pki.ee.subject, centralKeyGeneration: MAC_CKG })).rejects.toMatchObject({
      failInfo: ['signerNotTrusted'],
    });
  });

  it('is a usage error together with keyPair or for p10cr', async () => {
    const { client, server } = clientSetup([]);
    await expect(client.enroll({ keyPair: pki.ee.keyPair, centralKeyGeneration: MAC_CKG })).rejects.toBeInstanceOf(TypeError);
    await expect(
      client.enroll({ bodyType: 'p10cr', csr: Uint8Array.of(0x30, 0x00), centralKeyGeneration: MAC_CKG }),
    ).rejects.toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
  });
});
