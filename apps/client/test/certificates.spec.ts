// The chain a signed request sends in extraCerts: the certificate's issuers out of --untrusted,
// up to but not including the root (RFC 9483 section 3.3), as openssl cmp builds it.
import { createCertificateAuthority, createSelfSignedCa, createSubordinateCa, profiles } from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, parseName } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import { issuerChainOf } from '../src/certificates.js';

describe('issuerChainOf', () => {
  it('finds the issuer among other certificates and leaves out the self-signed root and unrelated certificates', async () => {
    const clock = () => new Date('2026-12-01T00:00:00Z');
    const root = await createSelfSignedCa({ subject: '/CN=Chain Root', clock });
    const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, clock }), { subject: '/CN=Chain Issuing' });
    const other = await createSelfSignedCa({ subject: '/CN=Unrelated Root', clock });
    const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
    const { certificate } = await createCertificateAuthority({ ...issuing, clock }).issue({
      template: { subject: parseName('/CN=device'), publicKey },
      profile: profiles.device,
    });
    const pool = [root.certificate, other.certificate, issuing.certificate];
    expect(issuerChainOf(certificate, pool)).toEqual([issuing.certificate]);
    expect(issuerChainOf(certificate, [root.certificate])).toEqual([]);
    expect(issuerChainOf(root.certificate, pool)).toEqual([]);
  });
});
