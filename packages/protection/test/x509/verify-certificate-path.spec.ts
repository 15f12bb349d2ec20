import { oids } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import {
  importPrivateKey,
  parseCertificate,
  protect,
  verifyCertificatePath,
  verifyProtection,
  type CertificatePathOptions,
  type SignatureTrust,
} from '../../src/index.js';
import { cert, OPENSSL_PKI_TIME, PKI_TIME, pki, pkiKey, providers, roundTrip, unprotectedGenm } from '../helpers.js';

const day = 86_400_000;
const short = parseCertificate(pki('ee-short'));
const subjectOf = (der: Uint8Array) => parseCertificate(der).subject;

describe.each(providers)('verifyCertificatePath ($name)', ({ crypto }) => {
  const base = { crypto, at: PKI_TIME };

  it('builds a path to the anchor', async () => {
    const path = await verifyCertificatePath(pki('ee-p256'), { ...base, anchors: [pki('root-rsa'), pki('root-ec')] });
    expect(path.certificates.map(subjectOf)).toEqual([pki('ee-p256'), pki('root-ec')].map(subjectOf));
    expect(Buffer.from(path.anchor).equals(Buffer.from(pki('root-ec')))).toBe(true);
  });

  it('uses untrusted intermediates', async () => {
    const path = await verifyCertificatePath(pki('ee-chain'), {
      ...base,
      anchors: [pki('root-ec')],
      untrusted: [pki('ee-p384'), pki('int-ec')],
    });
    expect(path.certificates).toHaveLength(3);
  });

  it('verifies RSASSA-PSS certificate signatures', async () => {
    await expect(verifyCertificatePath(pki('ee-rsa-pss'), { ...base, anchors: [pki('root-rsa')] })).resolves.toMatchObject({});
  });

  it('validates the OpenSSL 3.0 vector PKI', async () => {
    const [issuing, root] = ['issuing', 'root'].map((n) => cert(`pki/openssl-3.0/${n}.pem`)) as [Uint8Array, Uint8Array];
    const path = await verifyCertificatePath(cert('pki/openssl-3.0/ee.pem'), {
      crypto,
      at: OPENSSL_PKI_TIME,
      anchors: [root],
      untrusted: [issuing],
      requiredKeyUsage: ['digitalSignature'],
      requiredExtendedKeyUsage: [oids.id_kp_clientAuth],
    });
    expect(path.certificates).toHaveLength(3);
  });

  it('trusts a pinned certificate directly', async () => {
    const path = await verifyCertificatePath(pki('ee-p256'), { ...base, anchors: [pki('ee-p256')] });
    expect(path.certificates).toHaveLength(1);
  });

  it('reads the injected clock when no time is given', async () => {
    const options = { crypto, anchors: [pki('root-ec')] };
    await expect(
      verifyCertificatePath(pki('ee-short'), { ...options, clock: () => new Date(short.notBefore.getTime() + day) }),
    ).resolves.toBeDefined();
    await expect(
      verifyCertificatePath(pki('ee-short'), { ...options, clock: () => new Date(short.notAfter.getTime() + day) }),
    ).rejects.toMatchObject({
      failInfo: ['signerNotTrusted'],
    });
  });

  const FAILURES: [string, Uint8Array, Partial<CertificatePathOptions>, RegExp][] = [
    ['expired', pki('ee-short'), { at: new Date(short.notAfter.getTime() + day), anchors: [pki('root-ec')] }, /expired/],
    ['not yet valid', pki('ee-short'), { at: new Date(short.notBefore.getTime() - day), anchors: [pki('root-ec')] }, /not yet valid/],
    ['wrong anchor', pki('ee-p256'), { anchors: [pki('root-rsa')] }, /no issuer certificate found/],
    ['missing intermediate', pki('ee-chain'), { anchors: [pki('root-ec')] }, /no issuer certificate found/],
    ['issuer without cA', pki('ee-noca'), { anchors: [pki('root-ec')], untrusted: [pki('int-noca')] }, /not a CA/],
    [
      'wrong extended key usage',
      pki('ee-p256'),
      { anchors: [pki('root-ec')], requiredExtendedKeyUsage: [oids.id_kp_cmcCA] },
      /extended key usage id_kp_cmcCA/,
    ],
    ['wrong key usage', pki('ee-p256'), { anchors: [pki('root-ec')], requiredKeyUsage: ['keyEncipherment'] }, /keyUsage keyEncipherment/],
    ['an end entity as issuer', pki('ee-chain'), { anchors: [pki('root-ec')], untrusted: [pki('ee-p256')] }, /no issuer|not a CA/],
  ];

  it.each(FAILURES)('fails with signerNotTrusted: %s', async (_label, target, options, reason) => {
    const error = await verifyCertificatePath(target, { ...base, anchors: [], ...options }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProtectionError', failInfo: ['signerNotTrusted'] });
    expect((error as Error).message).toMatch(reason);
  });

  it('fails when a certificate signature is broken', async () => {
    const broken = pki('ee-p256').slice();
    broken[broken.length - 3] = broken[broken.length - 3]! ^ 0x01;
    await expect(verifyCertificatePath(broken, { ...base, anchors: [pki('root-ec')] })).rejects.toThrow(/does not verify|cannot check/);
  });

  it('passes the required extended key usage of an RA certificate', async () => {
    await expect(
      verifyCertificatePath(pki('srv-ec'), {
        ...base,
        anchors: [pki('root-ec')],
        requiredExtendedKeyUsage: [oids.id_kp_cmcRA, oids.id_kp_cmcCA],
      }),
    ).resolves.toBeDefined();
  });
});

describe.each(providers)('verifyProtection path checks ($name)', ({ crypto }) => {
  async function signedBy(name: string, chain: string[] = []) {
    const certificate = pki(name);
    const privateKey = await importPrivateKey(pkiKey(name), { crypto });
    return roundTrip(await protect(unprotectedGenm(certificate), { privateKey, certificate, chain: chain.map(pki) }, { crypto }));
  }

  const CASES: [string, string, string[], SignatureTrust, Date][] = [
    ['expired', 'ee-short', [], { anchors: [pki('root-ec')] }, new Date(short.notAfter.getTime() + day)],
    ['wrong anchor', 'ee-p256', [], { anchors: [pki('root-rsa')] }, PKI_TIME],
    ['missing cA', 'ee-noca', ['int-noca'], { anchors: [pki('root-ec')] }, PKI_TIME],
    ['wrong EKU', 'ee-p256', [], { anchors: [pki('root-ec')], requiredExtendedKeyUsage: [oids.id_kp_cmcRA] }, PKI_TIME],
  ];

  it.each(CASES)('%s: signerNotTrusted', async (_label, signer, chain, trust, at) => {
    const message = await signedBy(signer, chain);
    await expect(verifyProtection(message, { signature: trust }, { crypto, at })).rejects.toMatchObject({ failInfo: ['signerNotTrusted'] });
  });

  it('a signer certificate without keyUsage digitalSignature is refused unless ignoreKeyUsage', async () => {
    const message = await signedBy('int-ec');
    await expect(verifyProtection(message, { signature: { anchors: [pki('root-ec')] } }, { crypto, at: PKI_TIME })).rejects.toMatchObject({
      failInfo: ['signerNotTrusted'],
    });
    await expect(
      verifyProtection(message, { signature: { anchors: [pki('root-ec')], ignoreKeyUsage: true } }, { crypto, at: PKI_TIME }),
    ).resolves.toMatchObject({ type: 'signature' });
  });
});
