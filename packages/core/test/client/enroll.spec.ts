import { beforeAll, describe, expect, it } from 'vitest';
import { parseName, type CertStatus, type DecodedPKIMessage, type PKIBody } from '@cmpkit/codec';
import { ProtocolError, rejectCertificate, RemoteError } from '@cmpkit/core';
import { computeCertHash, ProtectionError, parseCertificate, type SignatureCredential } from '@cmpkit/protection';
import { clientSetup as baseSetup, failureOf } from './helpers/client-setup.js';
import { certRep, issued, PKICONF, type Replier } from './helpers/scripted-server.js';
import { makeCsr } from './helpers/csr.js';
import { createTestPki, type TestPki } from './helpers/test-pki.js';

const SUBJECT = parseName('/O=cmpkit test/CN=device-0001');

let pki: TestPki;
let keyPair: CryptoKeyPair;
let certificate: Uint8Array;

beforeAll(async () => {
  pki = await createTestPki();
  keyPair = await pki.newKeyPair();
  certificate = await pki.issue(await pki.spkiOf(keyPair.publicKey));
});

/** The scripted server sends the issuing CA's certificate in extraCerts unless told otherwise. */
const clientSetup: typeof baseSetup = (script, init, serverInit) =>
  baseSetup(script, init, { extraCerts: [pki.issuing.certificate], ...serverInit });

function certStatusOf(request: DecodedPKIMessage): CertStatus {
  expect(request.body.type).toBe('certConf');
  const content = (request.body as Extract<PKIBody, { type: 'certConf' }>).content;
  expect(content).toHaveLength(1);
  return content[0]!;
}

const ip = (cert: Uint8Array, caPubs?: readonly Uint8Array[]) => (_: DecodedPKIMessage, reply: Replier) =>
  reply(certRep('ip', issued(cert), caPubs));
const pkiconf = (_: DecodedPKIMessage, reply: Replier) => reply(PKICONF);

describe('enroll: ir with MAC protection', () => {
  it('sends ir with POP, checks the certificate against the caPubs of a MAC response, confirms with its hash', async () => {
    const { client, server } = clientSetup(
      [ip(certificate, [pki.root.certificate]), pkiconf],
      {},
      { extraCerts: [pki.issuing.certificate] },
    );
    const result = await client.enroll({ keyPair, subject: SUBJECT });
    expect(result.certificate).toEqual(certificate);
    expect(result.path).toEqual([certificate, pki.issuing.certificate, pki.root.certificate]);
    expect(result.caPubs).toEqual([pki.root.certificate]);
    expect(result.extraCerts).toEqual([pki.issuing.certificate]);
    expect(result.implicitConfirmGranted).toBe(false);
    expect(result.status).toBe(0);
    expect(result.privateKey).toBeUndefined();

    const [ir, certConf] = server.requests;
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'certConf']);
    const msg = (ir!.body as Extract<PKIBody, { type: 'ir' }>).content[0]!;
    expect(msg.certReq.certReqId).toBe(0);
    expect(msg.certReq.certTemplate.subject).toEqual(SUBJECT);
    expect(msg.popo?.type).toBe('signature');
    expect(ir!.header.generalInfo).toBeUndefined();
    // One transaction: same transactionID and sender; the certConf answers the ip's nonce.
    expect(certConf!.header.transactionID).toEqual(ir!.header.transactionID);
    expect(certConf!.header.sender).toEqual(ir!.header.sender);
    expect(result.transactionID).toEqual(ir!.header.transactionID);
    const status = certStatusOf(certConf!);
    expect(status.certReqId).toBe(0);
    expect(status.statusInfo).toBeUndefined();
    expect(status.certHash).toEqual((await computeCertHash(certificate)).certHash);
  });

  it('does not check the path when there are no anchors (signature-protected response, nothing configured)', async () => {
    const signer: SignatureCredential = {
      privateKey: pki.server.keyPair.privateKey,
      certificate: pki.server.certificate,
      chain: [pki.issuing.certificate],
    };
    const { client } = clientSetup(
      [ip(certificate, [pki.root.certificate]), pkiconf],
      {
        trust: { mac: { secret: 'x' }, signature: { anchors: [pki.root.certificate] } },
      },
      { protection: signer },
    );
    const result = await client.enroll({ keyPair, subject: SUBJECT });
    expect(result.path).toBeUndefined(); // caPubs of a signed response are no anchors
  });

  it('uses configured trustAnchors rather than the caPubs', async () => {
    const { client } = clientSetup([ip(certificate, [pki.rogue.root.certificate]), pkiconf], {
      trustAnchors: [pki.root.certificate],
      untrusted: [pki.issuing.certificate],
    });
    const result = await client.enroll({ keyPair, subject: SUBJECT });
    expect(result.path?.at(-1)).toEqual(pki.root.certificate);
  });

  it('rejects a certificate that does not chain to the caPubs: negative certConf, then the error', async () => {
    const rogueCert = await pki.issue(await pki.spkiOf(keyPair.publicKey), undefined, pki.rogue.ca);
    const { client, server } = clientSetup([ip(rogueCert, [pki.root.certificate]), pkiconf]);
    const error = await failureOf(client.enroll({ keyPair, subject: SUBJECT }));
    expect(error).toBeInstanceOf(ProtectionError);
    expect((error as ProtectionError).failInfo).toEqual(['signerNotTrusted']);
    const status = certStatusOf(server.requests[1]!);
    expect(status.statusInfo).toMatchObject({ status: 2, failInfo: ['signerNotTrusted'] });
    expect(status.certHash).toEqual((await computeCertHash(rogueCert)).certHash);
  });

  it('rejects a certificate for another public key: negative certConf with badCertTemplate', async () => {
    const other = await pki.issue(await pki.spkiOf((await pki.newKeyPair()).publicKey));
    const { client, server } = clientSetup([ip(other, [pki.root.certificate]), pkiconf]);
    const error = await failureOf(client.enroll({ keyPair, subject: SUBJECT }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).failInfo).toEqual(['badCertTemplate']);
    const status = certStatusOf(server.requests[1]!);
    expect(status.statusInfo).toEqual({
      status: 2,
      failInfo: ['badCertTemplate'],
      statusString: ['core: the new certificate does not carry the public key that was requested'],
    });
    expect(server.remaining()).toBe(0);
  });

  it('reports the original error when the negative certConf itself fails', async () => {
    const other = await pki.issue(await pki.spkiOf((await pki.newKeyPair()).publicKey));
    const { client, server } = clientSetup([ip(other), (_, reply) => reply({ type: 'error', content: { pKIStatusInfo: { status: 2 } } })]);
    const error = await failureOf(client.enroll({ keyPair, subject: SUBJECT }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).failInfo).toEqual(['badCertTemplate']);
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'certConf']);
  });

  it('onCertificate rejecting: negative certConf with its failInfo and reason, the call rejects', async () => {
    const seen: unknown[] = [];
    const { client, server } = clientSetup([ip(certificate, [pki.root.certificate]), pkiconf], {
      onCertificate: (issuedCert) => {
        seen.push(issuedCert);
        return rejectCertificate('not the subject I wanted', 'badCertId');
      },
    });
    const error = await failureOf(client.enroll({ keyPair, subject: SUBJECT }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).failInfo).toEqual(['badCertId']);
    expect((error as Error).message).toMatch(/not the subject I wanted/);
    expect(seen).toEqual([
      {
        certificate,
        caPubs: [pki.root.certificate],
        extraCerts: [pki.issuing.certificate],
        bodyType: 'ip',
        path: [certificate, pki.issuing.certificate, pki.root.certificate],
      },
    ]);
    expect(certStatusOf(server.requests[1]!).statusInfo).toEqual({
      status: 2,
      failInfo: ['badCertId'],
      statusString: ['not the subject I wanted'],
    });
  });

  it('onCertificate throwing: negative certConf with systemFailure and a generic text, the error is rethrown', async () => {
    const boom = new TypeError('application bug');
    const { client, server } = clientSetup([ip(certificate), pkiconf], {
      onCertificate: () => {
        throw boom;
      },
    });
    await expect(client.enroll({ keyPair, subject: SUBJECT })).rejects.toBe(boom);
    expect(certStatusOf(server.requests[1]!).statusInfo).toEqual({
      status: 2,
      failInfo: ['systemFailure'],
      statusString: ['the end entity could not process the certificate'],
    });
  });

  it('onCertificate accepting asynchronously: positive certConf', async () => {
    const { client, server } = clientSetup([ip(certificate), pkiconf], { onCertificate: async () => ({ accept: true }) });
    await expect(client.enroll({ keyPair, subject: SUBJECT })).resolves.toMatchObject({ certificate });
    expect(certStatusOf(server.requests[1]!).statusInfo).toBeUndefined();
  });
});

describe('enroll: implicit confirmation and disableConfirm', () => {
  const grant = [{ type: 'implicitConfirm' as const, infoValue: null }];

  it('asked and granted: no certConf', async () => {
    const { client, server } = clientSetup([(_, reply) => reply(certRep('ip', issued(certificate)), { generalInfo: grant })], {
      implicitConfirm: true,
    });
    const result = await client.enroll({ keyPair, subject: SUBJECT });
    expect(result.implicitConfirmGranted).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.header.generalInfo).toEqual(grant);
  });

  it('asked per call and not granted: certConf', async () => {
    const { client, server } = clientSetup([ip(certificate), pkiconf]);
    const result = await client.enroll({ keyPair, subject: SUBJECT, implicitConfirm: true });
    expect(result.implicitConfirmGranted).toBe(false);
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'certConf']);
  });

  it('granted without being asked: certConf all the same', async () => {
    const { client, server } = clientSetup([(_, reply) => reply(certRep('ip', issued(certificate)), { generalInfo: grant }), pkiconf]);
    const result = await client.enroll({ keyPair, subject: SUBJECT });
    expect(result.implicitConfirmGranted).toBe(false);
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'certConf']);
  });

  it('granted, and the certificate is bad: no certConf can be sent, the call rejects', async () => {
    const other = await pki.issue(await pki.spkiOf((await pki.newKeyPair()).publicKey));
    const { client, server } = clientSetup([(_, reply) => reply(certRep('ip', issued(other)), { generalInfo: grant })], {
      implicitConfirm: true,
    });
    await expect(client.enroll({ keyPair, subject: SUBJECT })).rejects.toBeInstanceOf(ProtocolError);
    expect(server.requests).toHaveLength(1);
  });

  it('disableConfirm: no certConf although not granted', async () => {
    const { client, server } = clientSetup([ip(certificate)]);
    const result = await client.enroll({ keyPair, subject: SUBJECT, disableConfirm: true });
    expect(result.implicitConfirmGranted).toBe(false);
    expect(server.requests).toHaveLength(1);
  });
});

describe('enroll: refusals and malformed responses', () => {
  it('a rejected ip becomes a RemoteError, and no certConf is sent', async () => {
    const { client, server } = clientSetup([
      (_, reply) =>
        reply(certRep('ip', { certReqId: 0, status: { status: 2, failInfo: ['badPOP'], statusString: ['POP does not verify'] } })),
    ]);
    const error = await failureOf(client.enroll({ keyPair, subject: SUBJECT }));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ status: 2, bodyType: 'ip', failInfo: ['badPOP'], statusString: ['POP does not verify'] });
    expect(server.requests).toHaveLength(1);
  });

  it.each<[string, (cert: Uint8Array) => PKIBody, RegExp]>([
    ['another certReqId', (cert) => certRep('ip', issued(cert, 1)), /certReqId 0/],
    ['two responses', (cert) => ({ type: 'ip', content: { response: [issued(cert), issued(cert, 1)] } }), /one response/],
    ['no response', () => ({ type: 'ip', content: { response: [] } }), /one response/],
    ['accepted without a certificate', () => certRep('ip', { certReqId: 0, status: { status: 0 } }), /carries no certificate/],
    ['a cp for an ir', (cert) => certRep('cp', issued(cert)), /expected ip but the response is cp/],
    [
      'an encrypted certificate',
      () =>
        certRep('ip', {
          certReqId: 0,
          status: { status: 0 },
          certifiedKeyPair: {
            certOrEncCert: { type: 'encryptedCert', value: { type: 'envelopedData', value: { der: Uint8Array.of(0x30, 0x00) } } },
          },
        }),
      /encrypted/,
    ],
  ])('refuses an ip with %s, without certConf', async (_, body, message) => {
    const { client, server } = clientSetup([(_, reply) => reply(body(certificate))]);
    const error = await failureOf(client.enroll({ keyPair, subject: SUBJECT }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(message);
    expect(server.requests).toHaveLength(1);
  });
});

describe('enroll: cr, kur, p10cr', () => {
  it('cr is answered by cp', async () => {
    const { client, server } = clientSetup([(_, reply) => reply(certRep('cp', issued(certificate))), pkiconf]);
    await expect(client.enroll({ bodyType: 'cr', keyPair, subject: SUBJECT })).resolves.toMatchObject({ certificate });
    expect(server.requests[0]!.body.type).toBe('cr');
  });

  it('kur is signed with the current certificate and names it in oldCertID', async () => {
    const credential: SignatureCredential = {
      privateKey: pki.ee.keyPair.privateKey,
      certificate: pki.ee.certificate,
      chain: [pki.issuing.certificate],
    };
    const signer: SignatureCredential = {
      privateKey: pki.server.keyPair.privateKey,
      certificate: pki.server.certificate,
      chain: [pki.issuing.certificate],
    };
    const { client, server } = clientSetup(
      [(_, reply) => reply(certRep('kup', issued(certificate))), pkiconf],
      { credential, trust: { signature: { anchors: [pki.root.certificate] } }, trustAnchors: [pki.root.certificate] },
      { protection: signer },
    );
    const result = await client.keyUpdate({ keyPair, oldCertificate: pki.ee.certificate });
    expect(result.path?.at(-1)).toEqual(pki.root.certificate);
    const kur = server.requests[0]!;
    expect(kur.body.type).toBe('kur');
    expect(kur.header.sender).toEqual({ type: 'directoryName', value: pki.ee.subject });
    expect(kur.extraCerts?.[0]?.der).toEqual(pki.ee.certificate);
    const req = (kur.body as Extract<PKIBody, { type: 'kur' }>).content[0]!.certReq;
    const old = parseCertificate(pki.ee.certificate);
    expect(req.controls).toEqual([
      { type: 'oldCertID', value: { issuer: { type: 'directoryName', value: old.issuer }, serialNumber: old.serialNumber } },
    ]);
    expect(req.certTemplate.subject).toEqual(pki.ee.subject);
  });

  it('kur without oldCertificate is a usage error, nothing is sent', async () => {
    const { client, server } = clientSetup([]);
    await expect(client.enroll({ bodyType: 'kur', keyPair })).rejects.toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it.each([-1, 0])('p10cr answered with certReqId %i: certConf echoes it', async (certReqId) => {
    const csr = await makeCsr(keyPair, SUBJECT);
    const { client, server } = clientSetup([(_, reply) => reply(certRep('cp', issued(certificate, certReqId))), pkiconf]);
    await expect(client.enroll({ bodyType: 'p10cr', csr })).resolves.toMatchObject({ certificate });
    expect(server.requests[0]!.body).toEqual({ type: 'p10cr', content: { der: csr } });
    expect(server.requests[0]!.header.sender).toEqual({ type: 'directoryName', value: SUBJECT });
    expect(certStatusOf(server.requests[1]!).certReqId).toBe(certReqId);
  });

  it('p10cr: a certificate for another key than the CSR is rejected with a negative certConf', async () => {
    const csr = await makeCsr(await pki.newKeyPair(), SUBJECT);
    const { client, server } = clientSetup([(_, reply) => reply(certRep('cp', issued(certificate, -1))), pkiconf]);
    await expect(client.enroll({ bodyType: 'p10cr', csr })).rejects.toMatchObject({ failInfo: ['badCertTemplate'] });
    expect(certStatusOf(server.requests[1]!).statusInfo?.failInfo).toEqual(['badCertTemplate']);
  });
});
