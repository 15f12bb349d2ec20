import { createHash } from 'node:crypto';
import { decodePKIMessage, oids } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import { computeCertHash, verifyCertHash } from '../src/index.js';
import { cert, fixture, pki, providers } from './helpers.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A copy of `der` whose signature algorithm (both occurrences) is an OID no provider knows. */
function withUnknownSignatureAlgorithm(der: Uint8Array): Uint8Array {
  const ecdsaSha256 = Buffer.from('06082a8648ce3d040302', 'hex');
  const out = Buffer.from(der);
  let at = out.indexOf(ecdsaSha256);
  let count = 0;
  while (at >= 0) {
    out[at + ecdsaSha256.length - 1] = 0x09; // 1.2.840.10045.4.3.9
    count++;
    at = out.indexOf(ecdsaSha256, at + 1);
  }
  expect(count).toBe(2);
  return new Uint8Array(out);
}

describe.each(providers)('certHash ($name)', ({ crypto }) => {
  it('equals the certHash OpenSSL sent in certConf for the enrolled certificate', async () => {
    const certConf = decodePKIMessage(fixture('der/openssl-3.0/certConf.der'));
    if (certConf.body.type !== 'certConf') throw new Error('not a certConf');
    const status = certConf.body.content[0]!;
    const ee = cert('pki/openssl-3.0/ee.pem');
    const { certHash, hashAlg } = await computeCertHash(ee, { crypto });
    expect(hex(certHash)).toBe(hex(status.certHash));
    expect(hashAlg).toBeUndefined();
    await expect(verifyCertHash(status, ee, { crypto })).resolves.toBeUndefined();
    await expect(verifyCertHash(status, cert('pki/openssl-3.0/issuing.pem'), { crypto })).rejects.toMatchObject({
      failInfo: ['badCertId'],
    });
  });

  it.each([
    ['ecdsa-with-SHA256', 'ee-p256', 'sha256'],
    ['sha256WithRSAEncryption', 'ee-rsa', 'sha256'],
    ['RSASSA-PSS with SHA-256', 'ee-rsa-pss', 'sha256'],
    ['Ed25519 (SHA-512, RFC 9481 section 3.3)', 'root-ed25519', 'sha512'],
  ])('uses the hash of the signature algorithm: %s', async (_label, name, hash) => {
    const der = pki(name);
    const { certHash } = await computeCertHash(der, { crypto });
    expect(hex(certHash)).toBe(createHash(hash).update(der).digest('hex'));
  });

  it('Ed448 certificates hash with SHAKE256/512 where the provider has it', async () => {
    const der = pki('root-ed448');
    const result = await computeCertHash(der, { crypto }).catch((e: unknown) => e);
    if (result instanceof Error) {
      expect(result).toMatchObject({ failInfo: ['badAlg'] }); // e.g. Node's WebCrypto has no SHAKE256
    } else {
      expect(hex((result as { certHash: Uint8Array }).certHash)).toBe(
        createHash('shake256', { outputLength: 64 }).update(der).digest('hex'),
      );
    }
  });

  it('needs hashAlg, and pvno 3, when the signature algorithm names no hash', async () => {
    const der = withUnknownSignatureAlgorithm(pki('ee-p256'));
    await expect(computeCertHash(der, { crypto })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    const hashAlg = { algorithm: oids.id_sha384 };
    await expect(computeCertHash(der, { crypto, hashAlg, pvno: 2 })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    const result = await computeCertHash(der, { crypto, hashAlg, pvno: 3 });
    expect(result.hashAlg).toEqual(hashAlg);
    expect(hex(result.certHash)).toBe(createHash('sha384').update(der).digest('hex'));
    await expect(verifyCertHash({ certHash: result.certHash, certReqId: 0, hashAlg }, der, { crypto })).resolves.toBeUndefined();
    await expect(verifyCertHash({ certHash: result.certHash, certReqId: 0 }, der, { crypto })).rejects.toMatchObject({
      failInfo: ['badAlg'],
    });
  });

  it('ignores hashAlg when the signature algorithm names a hash', async () => {
    const der = pki('ee-p256');
    const result = await computeCertHash(der, { crypto, hashAlg: { algorithm: oids.id_sha512 } });
    expect(result.hashAlg).toBeUndefined();
    expect(hex(result.certHash)).toBe(createHash('sha256').update(der).digest('hex'));
  });
});
