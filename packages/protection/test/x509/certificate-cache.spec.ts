import { describe, expect, it } from 'vitest';
import {
  createCertificateCache,
  importPrivateKey,
  parseCertificate,
  protect,
  ProtectionError,
  verifyCertificatePath,
  verifyProtection,
} from '../../src/index.js';
import { certificateEntry, entryPublicKey } from '../../src/x509/certificate-cache.js';
import { defaultAlgorithms } from '../../src/index.js';
import { PKI_TIME, pki, pkiKey, providers, roundTrip, unprotectedGenm } from '../helpers.js';

describe('certificate cache', () => {
  it('finds a certificate by content, whichever array holds it', () => {
    const cache = createCertificateCache();
    const a = certificateEntry(cache, pki('ee-p256'));
    expect(certificateEntry(cache, pki('ee-p256'))).toBe(a);
    expect(certificateEntry(cache, new Uint8Array(pki('ee-p256')))).toBe(a);
    expect(certificateEntry(cache, pki('ee-p384'))).not.toBe(a);
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(certificateEntry(cache, pki('ee-p256'))).not.toBe(a);
  });

  it('parses each certificate once', () => {
    const cache = createCertificateCache();
    const parsed = cache.parse(pki('ee-p256'));
    expect(parsed).toEqual(parseCertificate(pki('ee-p256')));
    expect(cache.parse(new Uint8Array(pki('ee-p256')))).toBe(parsed);
    expect(() => cache.parse(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00))).toThrow(ProtectionError);
  });

  it('evicts the least recently used certificates', () => {
    const cache = createCertificateCache({ maxEntries: 2 });
    const first = certificateEntry(cache, pki('ee-p256'));
    certificateEntry(cache, pki('ee-p384'));
    certificateEntry(cache, pki('ee-p521'));
    expect(cache.size).toBe(2);
    expect(first.alive).toBe(false);
    expect(certificateEntry(cache, pki('ee-p256'))).not.toBe(first);
  });

  it('keeps imported keys per WebCrypto provider', async () => {
    const cache = createCertificateCache();
    const entry = certificateEntry(cache, pki('ee-p256'));
    const algorithm = defaultAlgorithms.signature({ algorithm: '1.2.840.10045.4.3.2' });
    const [a, b] = providers.map((p) => p.crypto) as [Crypto, Crypto];
    const ka = await entryPublicKey(entry, algorithm, a);
    expect(await entryPublicKey(entry, algorithm, a)).toBe(ka);
    expect(await entryPublicKey(entry, algorithm, b)).not.toBe(ka);
  });

  it('does not make a broken certificate trusted after a good one was cached', async () => {
    const cache = createCertificateCache();
    const options = { anchors: [pki('root-ec')], at: PKI_TIME, cache };
    await expect(verifyCertificatePath(pki('ee-p256'), options)).resolves.toBeDefined();
    const broken = pki('ee-p256').slice();
    broken[broken.length - 3] = broken[broken.length - 3]! ^ 0x01;
    await expect(verifyCertificatePath(broken, options)).rejects.toMatchObject({ failInfo: ['signerNotTrusted'] });
    // Time and policy are still checked on every call.
    await expect(verifyCertificatePath(pki('ee-p256'), { ...options, at: new Date('2040-01-01T00:00:00Z') })).rejects.toThrow(/expired/);
  });

  it.each(providers)('verifyProtection gives the same answers with a cache ($name)', async ({ crypto }) => {
    const cache = createCertificateCache();
    const certificate = pki('ee-chain');
    const privateKey = await importPrivateKey(pkiKey('ee-chain'), { crypto });
    const message = roundTrip(
      await protect(unprotectedGenm(certificate), { privateKey, certificate, chain: [pki('int-ec')] }, { crypto, cache }),
    );
    const trust = { signature: { anchors: [pki('root-ec')] } };
    for (let i = 0; i < 3; i++) {
      await expect(verifyProtection(message, trust, { crypto, at: PKI_TIME, cache })).resolves.toMatchObject({ type: 'signature' });
    }
    await expect(
      verifyProtection(message, { signature: { anchors: [pki('root-rsa')] } }, { crypto, at: PKI_TIME, cache }),
    ).rejects.toMatchObject({
      failInfo: ['signerNotTrusted'],
    });
    expect(cache.size).toBeGreaterThanOrEqual(3);
  });
});
