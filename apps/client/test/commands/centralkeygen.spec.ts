import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  profiles,
  type CertificateAuthority,
} from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, encodePem, parseName, type Name } from '@cmpkit/codec';
import { createServer, memorySecretStore, type CmpServer, type Issuer } from '@cmpkit/core';
import { toNodeListener } from '@cmpkit/transport-http';
import { runCli } from '../run-cli.js';

// `cmpkit ir|cr --centralkeygen` against the server engine behind the HTTP adapter on 127.0.0.1.

interface Holder {
  keyPair: CryptoKeyPair;
  certificate: Uint8Array;
  subject: Name;
}

const dir = mkdtempSync(join(tmpdir(), 'cmpkit-ckg-'));
const file = (name: string): string => join(dir, name);
const servers: Server[] = [];
let ca: CertificateAuthority;
let rootCert: Uint8Array;
let issuingCert: Uint8Array;
let kga: Holder;
let cmpServer: Holder;

async function holder(subject: string, profile = profiles.device): Promise<Holder> {
  const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
  const { certificate } = await ca.issue({ template: { subject: parseName(subject), publicKey }, profile });
  return { keyPair, certificate, subject: parseName(subject) };
}

async function writeKey(path: string, key: CryptoKey): Promise<void> {
  writeFileSync(path, encodePem('PRIVATE KEY', new Uint8Array(await crypto.subtle.exportKey('pkcs8', key))));
}

const issuer = (): Issuer => ({
  async certify(request) {
    const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const publicKey =
      request.publicKey ?? decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
    const { certificate } = await ca.issue({ template: request.template, profile: profiles.device, publicKey });
    const privateKeyPkcs8 = request.centralKeyGeneration
      ? new Uint8Array(await crypto.subtle.exportKey('pkcs8', keyPair.privateKey))
      : undefined;
    return { status: 'issued', certificate, chain: [issuingCert], caPubs: [rootCert], ...(privateKeyPkcs8 ? { privateKeyPkcs8 } : {}) };
  },
  async confirm() {},
  async revoke() {},
});

/** The server engine signing with `signer`, on a free loopback port; resolves to its URL. */
async function listen(cmp: CmpServer): Promise<string> {
  const http = createHttpServer(toNodeListener(cmp.handle));
  servers.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}/.well-known/cmp`;
}

function engine(signer: Holder): CmpServer {
  return createServer({
    name: signer.subject,
    protection: {
      signer: { privateKey: signer.keyPair.privateKey, certificate: signer.certificate, chain: [issuingCert] },
      secrets: memorySecretStore({ '3078': 'ckg-secret' }),
      trustAnchors: [rootCert],
    },
    issuer: issuer(),
  });
}

beforeAll(async () => {
  const root = await createSelfSignedCa({ subject: '/O=cmpkit cli test/CN=Root CA' });
  const issuing = await createSubordinateCa(createCertificateAuthority(root), { subject: '/O=cmpkit cli test/CN=Issuing CA' });
  ca = createCertificateAuthority(issuing);
  rootCert = root.certificate;
  issuingCert = issuing.certificate;
  kga = await holder('/O=cmpkit cli test/CN=KGA', profiles.kga);
  cmpServer = await holder(
    '/O=cmpkit cli test/CN=CMP Server',
    defineProfile({ name: 'cmp', validityDays: 30, keyUsage: ['digitalSignature'], allowSubjectAltName: false }),
  );
  // Its certificate takes centrally generated keys by key agreement (RFC 9483 4.1.6.2).
  const ee = await holder(
    '/O=cmpkit cli test/CN=device-0002',
    defineProfile({ name: 'ee', keyUsage: ['digitalSignature', 'keyAgreement'] }),
  );
  writeFileSync(file('root.pem'), encodePem('CERTIFICATE', rootCert));
  writeFileSync(file('chain.pem'), encodePem('CERTIFICATE', issuingCert));
  writeFileSync(file('ee.pem'), encodePem('CERTIFICATE', ee.certificate));
  await writeKey(file('ee.key'), ee.keyPair.privateKey);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

/** True when the PEM key file holds the private key of the PEM certificate file. */
function keyMatches(keyFile: string, certFile: string): boolean {
  return new X509Certificate(readFileSync(certFile)).checkPrivateKey(createPrivateKey(readFileSync(keyFile)));
}

describe('cmpkit --centralkeygen', () => {
  it('MAC client: the key opened with the secret is written with --newkeyout', async () => {
    const url = await listen(engine(kga));
    const r = await runCli(
      'ir',
      '--server',
      url,
      '--ref',
      '3078',
      '--secret',
      'pass:ckg-secret',
      '--centralkeygen',
      '--newkey',
      'ec:P-256',
      '--subject',
      '/O=cmpkit cli test/CN=device-0003',
      '--newkeyout',
      file('mac.key'),
      '--certout',
      file('mac.pem'),
    );
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^ir: enrolled .*device-0003.*centrally generated key written to/);
    expect(keyMatches(file('mac.key'), file('mac.pem'))).toBe(true);
  });

  it('signature client: the key opened with --key', async () => {
    const url = await listen(engine(cmpServer));
    const r = await runCli(
      'cr',
      '--server',
      url,
      '--cert',
      file('ee.pem'),
      '--key',
      file('ee.key'),
      '--extracerts',
      file('chain.pem'),
      '--trusted',
      file('root.pem'),
      '--centralkeygen',
      '--subject',
      '/O=cmpkit cli test/CN=device-0002',
      '--newkeyout',
      file('sig.key'),
      '--certout',
      file('sig.pem'),
    );
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(keyMatches(file('sig.key'), file('sig.pem'))).toBe(true);
  });

  it('refuses a key file with --centralkeygen (exit 2)', async () => {
    const r = await runCli(
      'ir',
      '--server',
      'http://127.0.0.1:9/',
      '--ref',
      '3078',
      '--secret',
      'pass:x',
      '--centralkeygen',
      '--newkey',
      file('ee.key'),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^cmpkit: --centralkeygen takes no key file/);
  });

  it('a MAC client whose server signs keys without id-kp-cmKGA refuses the key (exit 1)', async () => {
    const url = await listen(engine(cmpServer));
    const r = await runCli(
      'ir',
      '--server',
      url,
      '--ref',
      '3078',
      '--secret',
      'pass:ckg-secret',
      '--centralkeygen',
      '--subject',
      '/O=cmpkit cli test/CN=device-0004',
      '--newkeyout',
      file('refused.key'),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cmpkit: [^\n]*extended key usage[^\n]*\n$/i);
  });
});
