import { KeyUsage, KeyUsageFlags } from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { oids } from '@cmpkit/codec';
import { withPostQuantum } from '@cmpkit/pq-crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createSelfSignedCa, createSubordinateCa, profiles } from '@cmpkit/ca';
import { clock, expectIssuanceError, extensionValue, parseCertificate, spkiOf, template } from '../helpers.js';

const crypto = withPostQuantum(globalThis.crypto, { implementation: 'pure-js' });
const KEM_USAGES = ['encapsulateBits', 'decapsulateBits'] as unknown as KeyUsage[];

async function verifies(certificate: Uint8Array, issuerKey: CryptoKey, name: string): Promise<boolean> {
  const parsed = parseCertificate(certificate);
  const tbs = AsnConvert.serialize(parsed.tbsCertificate);
  return crypto.subtle.verify(name, issuerKey, parsed.signatureValue, tbs);
}

function keyUsageOf(certificate: Uint8Array): number {
  const ext = extensionValue(certificate, oids.id_ce_keyUsage);
  return AsnConvert.parse(ext!.value, KeyUsage).toNumber();
}

describe('an ML-DSA-65 CA hierarchy', () => {
  it('a root and an issuing CA sign with ML-DSA-65 and issue ML-DSA and ML-KEM certificates within pqDevice', async () => {
    const keyAlgorithm = { name: 'ML-DSA-65' };
    const root = await createSelfSignedCa({ subject: '/CN=PQ Root', keyAlgorithm, crypto, clock });
    const rootCa = createCertificateAuthority({ ...root, crypto, clock });
    const sub = await createSubordinateCa(rootCa, { subject: '/CN=PQ Issuing CA', keyAlgorithm, crypto });
    expect(parseCertificate(root.certificate).signatureAlgorithm.algorithm).toBe(oids.id_ml_dsa_65);
    expect(parseCertificate(root.certificate).signatureAlgorithm.parameters).toBeUndefined();
    expect(await verifies(root.certificate, root.publicKey, 'ML-DSA-65')).toBe(true);
    expect(await verifies(sub.certificate, root.publicKey, 'ML-DSA-65')).toBe(true);

    const ca = createCertificateAuthority({ ...sub, crypto, clock });
    const kem = (await crypto.subtle.generateKey('ML-KEM-768' as never, true, KEM_USAGES as never)) as CryptoKeyPair;
    const kemCert = await ca.issue({ template: template(await spkiOf(kem.publicKey, crypto)), profile: profiles.pqDevice });
    expect(parseCertificate(kemCert.certificate).tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm).toBe(oids.id_alg_ml_kem_768);
    expect(keyUsageOf(kemCert.certificate)).toBe(KeyUsageFlags.keyEncipherment);
    expect(await verifies(kemCert.certificate, sub.publicKey, 'ML-DSA-65')).toBe(true);

    const dsa = (await crypto.subtle.generateKey('ML-DSA-44' as never, true, ['sign', 'verify'])) as CryptoKeyPair;
    const dsaCert = await ca.issue({ template: template(await spkiOf(dsa.publicKey, crypto)), profile: profiles.pqDevice });
    expect(keyUsageOf(dsaCert.certificate)).toBe(KeyUsageFlags.digitalSignature);

    const crl = await ca.createCrl({ entries: [], crlNumber: 1n, nextUpdate: new Date(clock().getTime() + 7 * 86_400_000) });
    expect(crl.length).toBeGreaterThan(3309);
  });

  it('refuses a post-quantum key outside the profile and a keyUsage the key type cannot have', async () => {
    const root = await createSelfSignedCa({ subject: '/CN=PQ Root', keyAlgorithm: { name: 'ML-DSA-44' }, crypto, clock });
    const ca = createCertificateAuthority({ ...root, crypto, clock });
    const kem = (await crypto.subtle.generateKey('ML-KEM-512' as never, true, KEM_USAGES as never)) as CryptoKeyPair;
    const spki = await spkiOf(kem.publicKey, crypto);
    await expectIssuanceError(ca.issue({ template: template(spki), profile: profiles.device }), 'badAlg', /ml-kem-512/);
    await expectIssuanceError(ca.issue({ template: template(spki), profile: profiles.tlsClient }), 'badAlg');
    const truncated = { ...spki, subjectPublicKey: spki.subjectPublicKey.subarray(1) };
    await expectIssuanceError(ca.issue({ template: template(truncated), profile: profiles.pqDevice }), 'badCertTemplate', /800 bytes/);
  });
});
