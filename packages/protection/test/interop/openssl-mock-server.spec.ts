import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePKIMessage, encodePKIMessage, oids, PKIStatus, type DecodedPKIMessage, type PKIMessage } from '@cmpkit/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeCertHash,
  createPOPOSigningKey,
  importPrivateKey,
  parseCertificate,
  protect,
  verifyProtection,
  type ProtectionCredential,
  type ProtectionTrust,
} from '../../src/index.js';
import { FIXTURES, OPENSSL_REF, OPENSSL_SECRET, PKI_TIME, pki, pkiKey, providers } from '../helpers.js';
import { opensslUnavailable, postPkiMessage, runOpenssl, startMockServer, type MockServer } from './openssl.js';

const unavailable = opensslUnavailable();
const PKI_DIR = join(FIXTURES, 'protection/pki');
const file = (name: string) => join(PKI_DIR, name);

/** An ir for `subjectCert`'s subject and key, its POP made with that key, unprotected. */
async function buildIr(crypto: Crypto, keyName: string, sender: string, id: number): Promise<PKIMessage> {
  const template = parseCertificate(pki(keyName));
  const certReq = { certReqId: 0, certTemplate: { subject: template.subject, publicKey: template.subjectPublicKeyInfo } };
  const popKey = await importPrivateKey(pkiKey(keyName), { crypto });
  const pop = await createPOPOSigningKey(certReq, popKey, { crypto });
  return {
    header: {
      pvno: 2,
      sender: { type: 'directoryName', value: parseCertificate(pki(sender)).subject },
      recipient: { type: 'directoryName', value: parseCertificate(pki('root-ec')).subject },
      transactionID: new Uint8Array(16).fill(id),
      senderNonce: new Uint8Array(16).fill(0x40 + id),
    },
    body: { type: 'ir', content: [{ certReq, popo: { type: 'signature', value: pop } }] },
  };
}

async function exchange(server: MockServer, message: PKIMessage): Promise<DecodedPKIMessage> {
  const response = await postPkiMessage(server.port, encodePKIMessage(message));
  expect(response.status, server.log()).toBe(200);
  expect(response.contentType).toBe('application/pkixcmp');
  return decodePKIMessage(response.body);
}

/** Asserts an ip with status accepted and returns the enrolled certificate. */
function acceptedCertificate(response: DecodedPKIMessage, log: string): Uint8Array {
  expect(response.body.type, log).toBe('ip');
  if (response.body.type !== 'ip') throw new Error('not an ip');
  const first = response.body.content.response[0];
  expect(first?.status.status, log).toBe(PKIStatus.accepted);
  const certOrEncCert = first?.certifiedKeyPair?.certOrEncCert;
  if (certOrEncCert?.type !== 'certificate') throw new Error('no certificate');
  return certOrEncCert.value.der;
}

/** The certConf that completes the transaction of `ir`/`ip` (the mock server keeps it open otherwise). */
async function certConfFor(crypto: Crypto, ir: PKIMessage, ip: DecodedPKIMessage, certificate: Uint8Array): Promise<PKIMessage> {
  const { certHash } = await computeCertHash(certificate, { crypto });
  const { senderNonce: _n, protectionAlg: _a, senderKID: _k, ...header } = ir.header;
  return {
    header: {
      ...header,
      senderNonce: new Uint8Array(16).fill(0x77),
      ...(ip.header.senderNonce ? { recipNonce: ip.header.senderNonce } : {}),
    },
    body: { type: 'certConf', content: [{ certHash, certReqId: 0 }] },
  };
}

describe.skipIf(unavailable !== undefined)(`interop with openssl cmp${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let work: string;
  let macServer: MockServer;
  // One signing mock server per signer key type: OpenSSL 3.0.19's mock server segfaults on the
  // 4th request when signature-protected requests alternate between an EC and an RSA signer
  // (reproducible with curl; not a cmpkit issue).
  let ecServer: MockServer;
  let rsaServer: MockServer;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cmpkit-protection-'));
    const signing = (trusted: string) => [
      '-srv_cert',
      file('srv-ec.pem'),
      '-srv_key',
      file('srv-ec.key'),
      '-srv_trusted',
      file(trusted),
      '-rsp_cert',
      file('ee-p384.pem'),
    ];
    [macServer, ecServer, rsaServer] = await Promise.all([
      startMockServer(['-srv_ref', OPENSSL_REF, '-srv_secret', `pass:${OPENSSL_SECRET}`, '-rsp_cert', file('ee-p256.pem')]),
      startMockServer(signing('root-ec.pem')),
      startMockServer(signing('root-rsa.pem')),
    ]);
  });

  afterAll(async () => {
    await Promise.all([macServer?.stop(), ecServer?.stop(), rsaServer?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  // Every request gets its own transactionID: the mock server keeps transactions open.
  let nextId = 1;

  describe.each(providers)('$name', ({ crypto }) => {
    const macTrust: ProtectionTrust = { mac: { secret: OPENSSL_SECRET, senderKID: OPENSSL_REF } };
    const sigTrust: ProtectionTrust = { signature: { anchors: [pki('root-ec')], requiredExtendedKeyUsage: [oids.id_kp_cmcRA] } };

    it('the mock server accepts an ir protected with PasswordBasedMac; its ip and pkiConf verify', async () => {
      const ir = await buildIr(crypto, 'ee-p256', 'ee-p256', nextId++);
      const credential: ProtectionCredential = {
        secret: OPENSSL_SECRET,
        senderKID: OPENSSL_REF,
        mac: { algorithm: 'PasswordBasedMac', iterationCount: 500 },
      };
      const response = await exchange(macServer, await protect(ir, credential, { crypto }));
      const certificate = acceptedCertificate(response, macServer.log());
      await expect(verifyProtection(response, macTrust, { crypto })).resolves.toMatchObject({ type: 'mac', algorithm: 'PasswordBasedMac' });
      const certConf = await certConfFor(crypto, ir, response, certificate);
      const pkiConf = await exchange(macServer, await protect(certConf, credential, { crypto }));
      expect(pkiConf.body.type, macServer.log()).toBe('pkiconf');
      await expect(verifyProtection(pkiConf, macTrust, { crypto })).resolves.toMatchObject({ type: 'mac' });
    });

    it('PBMAC1: OpenSSL 3.0 rejects it with a (verifiable) error message', async () => {
      const ir = await buildIr(crypto, 'ee-p256', 'ee-p256', nextId++);
      const response = await exchange(macServer, await protect(ir, { secret: OPENSSL_SECRET, senderKID: OPENSSL_REF }, { crypto }));
      // Recorded result (OpenSSL 3.0.19): OpenSSL 3.0 knows only PasswordBasedMac, takes the PBMAC1
      // OID for a signature algorithm and rejects ("missing trust anchor", failInfo badRequest)
      // in a PasswordBasedMac-protected error message.
      expect(response.body.type, macServer.log()).toBe('error');
      if (response.body.type === 'error') expect(response.body.content.pKIStatusInfo.status).toBe(PKIStatus.rejection);
      await expect(verifyProtection(response, macTrust, { crypto })).resolves.toMatchObject({ algorithm: 'PasswordBasedMac' });
    });

    it.each([
      ['ECDSA P-256', 'ee-p256'],
      ['RSA PKCS#1 v1.5', 'ee-rsa'],
    ])('the mock server accepts an ir signed with %s; its signed ip and pkiConf verify', async (_label, signer) => {
      const ir = await buildIr(crypto, 'ee-p384', signer, nextId++);
      const privateKey = await importPrivateKey(pkiKey(signer), { crypto });
      const credential: ProtectionCredential = { privateKey, certificate: pki(signer) };
      const server = signer === 'ee-rsa' ? rsaServer : ecServer;
      const response = await exchange(server, await protect(ir, credential, { crypto }));
      const certificate = acceptedCertificate(response, server.log());
      await expect(verifyProtection(response, sigTrust, { crypto, at: PKI_TIME })).resolves.toMatchObject({
        type: 'signature',
        algorithm: 'ecdsa-with-SHA256',
      });
      const certConf = await certConfFor(crypto, ir, response, certificate);
      const pkiConf = await exchange(server, await protect(certConf, credential, { crypto }));
      expect(pkiConf.body.type, server.log()).toBe('pkiconf');
      await expect(verifyProtection(pkiConf, sigTrust, { crypto, at: PKI_TIME })).resolves.toMatchObject({ type: 'signature' });
    });
  });

  it('messages signed by the openssl cmp client and the mock server verify', async () => {
    const out = (n: string) => join(work, n);
    const result = await runOpenssl([
      'cmp',
      '-cmd',
      'ir',
      '-server',
      `127.0.0.1:${ecServer.port}`,
      '-cert',
      file('ee-p256.pem'),
      '-key',
      file('ee-p256.key'),
      '-trusted',
      file('root-ec.pem'),
      '-newkey',
      file('ee-p384.key'),
      '-subject',
      '/C=DE/O=cmpkit test/CN=ee-p384',
      '-reqout',
      `${out('ir.der')},${out('certConf.der')}`,
      '-rspout',
      `${out('ip.der')},${out('pkiConf.der')}`,
      '-certout',
      out('new.pem'),
    ]);
    expect(result.code, result.output).toBe(0);
    for (const [name, anchors, signer] of [
      ['ir.der', [pki('root-ec')], 'ee-p256'],
      ['certConf.der', [pki('root-ec')], 'ee-p256'],
      ['ip.der', [pki('root-ec')], 'srv-ec'],
      ['pkiConf.der', [pki('root-ec')], 'srv-ec'],
    ] as const) {
      const message = decodePKIMessage(new Uint8Array(readFileSync(out(name))));
      for (const { crypto } of providers) {
        const sender = await verifyProtection(message, { signature: { anchors } }, { crypto, at: PKI_TIME });
        expect(sender.type === 'signature' && Buffer.from(sender.certificate).equals(Buffer.from(pki(signer))), name).toBe(true);
      }
    }
  });
});
