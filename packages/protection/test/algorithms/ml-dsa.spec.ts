import { encodeCertRequest, oids, parseName, decodeSubjectPublicKeyInfo, type CertReqMsg, type CertRequest } from '@cmpkit/codec';
import { createCertificateAuthority, createSelfSignedCa, createSubordinateCa, profiles } from '@cmpkit/ca';
import { withPostQuantum } from '@cmpkit/pq-crypto';
import { describe, expect, it } from 'vitest';
import {
  computeCertHash,
  createPOPOSigningKey,
  envelopePrivateKey,
  importPrivateKey,
  openEnvelopedPrivateKey,
  parseCertificate,
  protect,
  verifyCertHash,
  verifyCertificatePath,
  verifyPOP,
  verifyProtection,
} from '../../src/index.js';
import { roundTrip, unprotectedGenm } from '../helpers.js';

const crypto = withPostQuantum(globalThis.crypto, { implementation: 'pure-js' });
const at = new Date();

/** An ML-DSA-65 root and issuing CA, and an end entity with an ML-DSA-44 key under pqDevice. */
async function hierarchy() {
  const keyAlgorithm = { name: 'ML-DSA-65' };
  const root = await createSelfSignedCa({ subject: '/CN=PQ Root', keyAlgorithm, crypto });
  const sub = await createSubordinateCa(createCertificateAuthority({ ...root, crypto }), {
    subject: '/CN=PQ Issuing',
    keyAlgorithm,
    crypto,
  });
  const ca = createCertificateAuthority({ ...sub, crypto });
  const ee = (await crypto.subtle.generateKey('ML-DSA-44' as never, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', ee.publicKey)));
  const { certificate } = await ca.issue({ template: { subject: parseName('/CN=pq-device'), publicKey }, profile: profiles.pqDevice });
  return { root, sub, ee, certificate };
}

describe('ML-DSA (RFC 9881) in message protection, paths, POP, certHash and CMS', async () => {
  const { root, sub, ee, certificate } = await hierarchy();

  it('protects and verifies a message through an ML-DSA-65 path; tampering and a provider without ML-DSA fail', async () => {
    const message = await protect(
      unprotectedGenm(certificate),
      { privateKey: ee.privateKey, certificate, chain: [sub.certificate] },
      { crypto },
    );
    expect(message.header.protectionAlg).toEqual({ algorithm: oids.id_ml_dsa_44 });
    expect(message.protection?.length).toBe(2420);
    const trust = { signature: { anchors: [root.certificate] } };
    const verified = await verifyProtection(roundTrip(message), trust, { crypto, at });
    expect(verified).toMatchObject({ type: 'signature', algorithm: 'ML-DSA-44', anchor: root.certificate });
    const tampered = roundTrip({ ...message, protection: message.protection!.map((b, i) => (i === 7 ? b ^ 1 : b)) });
    await expect(verifyProtection(tampered, trust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badMessageCheck'] });
    await expect(verifyProtection(roundTrip(message), trust, { crypto: globalThis.crypto, at })).rejects.toMatchObject({
      failInfo: expect.arrayContaining(['badAlg']) as unknown,
    });
    const withParameters = roundTrip({
      ...message,
      header: { ...message.header, protectionAlg: { algorithm: oids.id_ml_dsa_44, parameters: { der: Uint8Array.of(5, 0) } } },
    });
    await expect(verifyProtection(withParameters, trust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badAlg'] });
  });

  it('checks an ML-DSA certificate path and refuses a certificate signed by another ML-DSA key', async () => {
    const path = await verifyCertificatePath(certificate, { anchors: [root.certificate], untrusted: [sub.certificate], crypto, at });
    expect(path.certificates.length).toBe(3);
    const other = await createSelfSignedCa({ subject: '/CN=PQ Root', keyAlgorithm: { name: 'ML-DSA-65' }, crypto });
    await expect(
      verifyCertificatePath(certificate, { anchors: [other.certificate], untrusted: [sub.certificate], crypto, at }),
    ).rejects.toMatchObject({
      failInfo: ['signerNotTrusted'],
    });
  });

  it('imports an ML-DSA PKCS #8 key, signs POP with it, and verifies it', async () => {
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', ee.privateKey));
    const privateKey = await importPrivateKey(pkcs8, { crypto });
    expect(privateKey.algorithm.name).toBe('ML-DSA-44');
    const certRequest: CertRequest = {
      certReqId: 0,
      certTemplate: { subject: parseName('/CN=pq-device'), publicKey: parseCertificate(certificate).subjectPublicKeyInfo },
    };
    const popo = await createPOPOSigningKey(certRequest, privateKey, { crypto });
    expect(popo.algorithmIdentifier).toEqual({ algorithm: oids.id_ml_dsa_44 });
    const msg: CertReqMsg = { certReq: certRequest, popo: { type: 'signature', value: popo } };
    expect(await verifyPOP(msg, { crypto })).toEqual({ method: 'signature', algorithm: 'ML-DSA-44' });
    const forged: CertReqMsg = { ...msg, certReq: { ...certRequest, certReqId: 1 } };
    expect(encodeCertRequest(forged.certReq)).not.toEqual(encodeCertRequest(certRequest));
    await expect(verifyPOP(forged, { crypto })).rejects.toMatchObject({ failInfo: ['badPOP'] });
  });

  it('certHash of an ML-DSA-signed certificate needs an explicit hashAlg (pvno 3)', async () => {
    await expect(computeCertHash(certificate, { crypto })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    const hash = await computeCertHash(certificate, { crypto, hashAlg: { algorithm: oids.id_sha512 }, pvno: 3 });
    expect(hash.hashAlg).toEqual({ algorithm: oids.id_sha512 });
    await verifyCertHash({ certHash: hash.certHash, certReqId: 0, hashAlg: hash.hashAlg! }, certificate, { crypto });
  });

  it('signs a central key generation SignedData with ML-DSA (SHA-512 digest, RFC 9882) and verifies it', async () => {
    const key = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', key.privateKey));
    const signer = { privateKey: sub.privateKey, certificate: sub.certificate, chain: [root.certificate] };
    const enveloped = await envelopePrivateKey(pkcs8, {
      crypto,
      signer,
      recipient: { type: 'pwri', password: 'secret', iterationCount: 1000 },
    });
    const opened = await openEnvelopedPrivateKey(enveloped, { crypto, key: { password: 'secret' } });
    expect(opened.form === 'envelopedData' && opened.signerCertificate).toEqual(sub.certificate);
    expect(opened.privateKeyPkcs8).toEqual(pkcs8);
  });
});
