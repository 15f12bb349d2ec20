import { describe, expect, it } from 'vitest';
import { isCmpError } from '@cmpkit/codec';
import { envelopePrivateKey, openEnvelopedPrivateKey, type CmsRecipient, type CmsDecryptionKey } from '@cmpkit/protection';
import { flip, pki, providers, signerKey } from './cms-fixtures.js';

const recipients: [string, CmsRecipient, CmsDecryptionKey][] = [
  ['pwri', { type: 'pwri', password: 'pw', iterationCount: 1, keyWrap: 'pwri-kek' }, { password: 'pw' }],
  ['kari', { type: 'kari', certificate: pki.eeP256.cert }, { privateKey: pki.eeP256.key }],
];

describe.each(providers)('every single-byte flip of an EnvelopedData under %s', (_, crypto) => {
  it.each(recipients)(
    '%s: fails with a CmpError, or opens to the very same key',
    async (_, recipient, key) => {
      const signer = { privateKey: await signerKey(crypto, 'p256'), certificate: pki.kgaP256.cert };
      const { value } = await envelopePrivateKey(pki.generated, { crypto, signer, recipient });
      const imported = 'privateKey' in key ? { privateKey: await importEcdh(crypto, key.privateKey as Uint8Array<ArrayBuffer>) } : key;
      let failures = 0;
      for (let i = 0; i < value.der.length; i++) {
        try {
          const opened = await openEnvelopedPrivateKey(
            { type: 'envelopedData', value: { der: flip(value.der, i) } },
            { crypto, key: imported },
          );
          expect(opened.privateKeyPkcs8).toEqual(pki.generated);
        } catch (error) {
          if (!isCmpError(error)) throw new Error(`byte ${i}: ${String(error)}`);
          failures++;
        }
      }
      // CMS leaves some bytes unauthenticated (versions, rid, parts of the CBC-garbled certificate
      // set, which the signature does not cover); everything else must fail
      expect(failures).toBeGreaterThan(value.der.length * 0.9);
    },
    60_000,
  );
});

function importEcdh(crypto: Crypto, pkcs8: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
}
