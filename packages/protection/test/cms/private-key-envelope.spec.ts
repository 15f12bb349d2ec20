import { describe, expect, it } from 'vitest';
import { SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { oids } from '@cmpkit/codec';
import {
  createEnvelopedData,
  envelopePrivateKey,
  openEnvelopedData,
  openEnvelopedPrivateKey,
  ProtectionError,
  type CmsDecryptionKey,
  type CmsRecipient,
} from '@cmpkit/protection';
import { flip, pki, providers, signerKey } from './cms-fixtures.js';

const PASSWORD = 'perf-test-secret';

interface Case {
  name: string;
  recipient: CmsRecipient;
  key: CmsDecryptionKey;
  wrongKey: CmsDecryptionKey;
}

const cases: Case[] = [
  {
    name: 'ktri RSA-OAEP, rid subjectKeyIdentifier',
    recipient: { type: 'ktri', certificate: pki.eeRsa.cert },
    key: { privateKey: pki.eeRsa.key, certificate: pki.eeRsa.cert },
    wrongKey: { privateKey: pki.eeRsaNoSki.key },
  },
  {
    name: 'ktri RSA-OAEP, rid issuerAndSerialNumber (certificate without SKI)',
    recipient: { type: 'ktri', certificate: pki.eeRsaNoSki.cert },
    key: { privateKey: pki.eeRsaNoSki.key, certificate: pki.eeRsaNoSki.cert },
    wrongKey: { privateKey: pki.eeRsa.key },
  },
  {
    name: 'ktri RSA-OAEP SHA-384, issuerAndSerialNumber requested',
    recipient: {
      type: 'ktri',
      certificate: pki.eeRsa.cert,
      recipientIdentifier: 'issuerAndSerialNumber',
      oaepHash: 'SHA-384',
    },
    key: { privateKey: pki.eeRsa.key },
    wrongKey: { privateKey: pki.eeRsaNoSki.key },
  },
  {
    name: 'kari ECDH P-256 sha256kdf, AES-256 wrap',
    recipient: { type: 'kari', certificate: pki.eeP256.cert },
    key: { privateKey: pki.eeP256.key, certificate: pki.eeP256.cert },
    wrongKey: { privateKey: pki.generated },
  },
  {
    name: 'kari ECDH P-384 sha384kdf with ukm, rid issuerAndSerialNumber',
    recipient: {
      type: 'kari',
      certificate: pki.eeP384.cert,
      ukm: Uint8Array.of(1, 2, 3, 4),
      recipientIdentifier: 'issuerAndSerialNumber',
    },
    key: { privateKey: pki.eeP384.key, certificate: pki.eeP384.cert },
    wrongKey: { privateKey: pki.eeP256.key },
  },
  {
    name: 'pwri PBKDF2-HMAC-SHA256 + AES key wrap',
    recipient: { type: 'pwri', password: PASSWORD, iterationCount: 1000 },
    key: { password: PASSWORD },
    wrongKey: { password: 'wrong-secret' },
  },
  {
    name: 'pwri PBKDF2-HMAC-SHA512 + id-alg-PWRI-KEK',
    recipient: {
      type: 'pwri',
      password: new TextEncoder().encode(PASSWORD),
      iterationCount: 1000,
      prf: 'SHA-512',
      keyWrap: 'pwri-kek',
    },
    key: { password: PASSWORD },
    wrongKey: { password: 'wrong-secret' },
  },
];

function expectProtectionError(error: unknown, failInfo: string): void {
  expect(error).toBeInstanceOf(ProtectionError);
  expect((error as ProtectionError).failInfo).toContain(failInfo);
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe.each(providers)('central key generation under %s', (_, crypto) => {
  describe.each(cases)('$name', ({ recipient, key, wrongKey }) => {
    it('opens to the original PKCS#8 and the signer certificate and chain', async () => {
      const signer = {
        privateKey: await signerKey(crypto, 'p256'),
        certificate: pki.kgaP256.cert,
        chain: [pki.ca],
      };
      const encryptedKey = await envelopePrivateKey(pki.generated, { crypto, signer, recipient });
      expect(encryptedKey.type).toBe('envelopedData');
      const opened = await openEnvelopedPrivateKey(encryptedKey, { crypto, key });
      expect(opened.form).toBe('envelopedData');
      if (opened.form !== 'envelopedData') return;
      expect(opened.privateKeyPkcs8).toEqual(pki.generated);
      expect(opened.signerCertificate).toEqual(pki.kgaP256.cert);
      expect(opened.signerChain).toEqual([pki.ca]);
    });

    it('refuses the wrong key or password with badMessageCheck', async () => {
      const signer = { privateKey: await signerKey(crypto, 'p256'), certificate: pki.kgaP256.cert };
      const encryptedKey = await envelopePrivateKey(pki.generated, { crypto, signer, recipient });
      expectProtectionError(await failure(openEnvelopedPrivateKey(encryptedKey, { crypto, key: wrongKey })), 'badMessageCheck');
    });
  });

  it.each([
    ['ECDSA P-256', 'p256', pki.kgaP256.cert],
    ['RSASSA-PKCS1-v1_5', 'rsa', pki.kgaRsa.cert],
    ['Ed25519', 'ed25519', pki.kgaEd25519.cert],
  ] as const)('verifies a %s signer', async (_, which, certificate) => {
    const signer = {
      privateKey: await signerKey(crypto, which),
      certificate,
      signerIdentifier: 'issuerAndSerialNumber' as const,
    };
    const recipient: CmsRecipient = { type: 'kari', certificate: pki.eeP256.cert };
    const encryptedKey = await envelopePrivateKey(pki.generated, {
      crypto,
      signer,
      recipient,
      signingTime: new Date('2025-06-01T12:00:00Z'),
    });
    const opened = await openEnvelopedPrivateKey(encryptedKey, {
      crypto,
      key: { privateKey: pki.eeP256.key },
    });
    expect(opened.form === 'envelopedData' && opened.signerCertificate).toEqual(certificate);
    expect(opened.privateKeyPkcs8).toEqual(pki.generated);
  });

  it('verifies an RSA-PSS signer', async () => {
    const privateKey = await crypto.subtle.importKey('pkcs8', pki.kgaRsa.key, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
    const encryptedKey = await envelopePrivateKey(pki.generated, {
      crypto,
      signer: { privateKey, certificate: pki.kgaRsa.cert },
      recipient: { type: 'pwri', password: PASSWORD, iterationCount: 1000 },
    });
    const opened = await openEnvelopedPrivateKey(encryptedKey, {
      crypto,
      key: { password: PASSWORD },
    });
    expect(opened.form === 'envelopedData' && opened.signerCertificate).toEqual(pki.kgaRsa.cert);
  });

  it('accepts the end entity key as CryptoKey (RSA-OAEP bound to SHA-256, extractable ECDSA re-imported as ECDH)', async () => {
    const signer = { privateKey: await signerKey(crypto, 'p256'), certificate: pki.kgaP256.cert };
    const rsa = await crypto.subtle.importKey('pkcs8', pki.eeRsa.key, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
    const viaKtri = await envelopePrivateKey(pki.generated, {
      crypto,
      signer,
      recipient: { type: 'ktri', certificate: pki.eeRsa.cert },
    });
    expect((await openEnvelopedPrivateKey(viaKtri, { crypto, key: { privateKey: rsa } })).privateKeyPkcs8).toEqual(pki.generated);

    const ec = await crypto.subtle.importKey('pkcs8', pki.eeP256.key, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
    const viaKari = await envelopePrivateKey(pki.generated, {
      crypto,
      signer,
      recipient: { type: 'kari', certificate: pki.eeP256.cert },
    });
    expect((await openEnvelopedPrivateKey(viaKari, { crypto, key: { privateKey: ec } })).privateKeyPkcs8).toEqual(pki.generated);

    const locked = await crypto.subtle.importKey('pkcs8', pki.eeP256.key, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    expectProtectionError(await failure(openEnvelopedPrivateKey(viaKari, { crypto, key: { privateKey: locked } })), 'badAlg');
  });

  it('writes AES-128-CBC content with AES-128 wrap when asked', async () => {
    const signer = { privateKey: await signerKey(crypto, 'p256'), certificate: pki.kgaP256.cert };
    const encryptedKey = await envelopePrivateKey(pki.generated, {
      crypto,
      signer,
      recipient: { type: 'kari', certificate: pki.eeP256.cert },
      contentEncryption: 'AES-128-CBC',
    });
    const opened = await openEnvelopedPrivateKey(encryptedKey, {
      crypto,
      key: { privateKey: pki.eeP256.key },
    });
    expect(opened.privateKeyPkcs8).toEqual(pki.generated);
  });

  describe('tampering', () => {
    const recipient: CmsRecipient = { type: 'pwri', password: PASSWORD, iterationCount: 1000 };
    const key: CmsDecryptionKey = { password: PASSWORD };

    async function signedData(): Promise<Uint8Array> {
      const signer = { privateKey: await signerKey(crypto, 'p256'), certificate: pki.kgaP256.cert };
      const encryptedKey = await envelopePrivateKey(pki.generated, { crypto, signer, recipient });
      const { contentType, content } = await openEnvelopedData(encryptedKey.value.der, {
        crypto,
        key,
      });
      expect(contentType).toBe(oids.id_signedData);
      return content;
    }

    async function reopen(tampered: Uint8Array): Promise<unknown> {
      const der = await createEnvelopedData(tampered, {
        crypto,
        recipient,
        contentType: oids.id_signedData,
      });
      return failure(openEnvelopedPrivateKey({ type: 'envelopedData', value: { der } }, { crypto, key }));
    }

    it('a flipped signature byte fails with badMessageCheck', async () => {
      const content = await signedData();
      expectProtectionError(await reopen(flip(content, content.length - 5)), 'badMessageCheck');
    });

    it('a flipped private key byte fails the messageDigest with badMessageCheck', async () => {
      const content = await signedData();
      const at = indexOf(content, pki.generated) + pki.generated.length - 3;
      expectProtectionError(await reopen(flip(content, at)), 'badMessageCheck');
    });

    it('a corrupted signer certificate fails with badMessageCheck', async () => {
      const content = await signedData();
      const at = indexOf(content, pki.kgaP256.cert);
      expect(at).toBeGreaterThan(0);
      // a byte inside the certificate flips: its key or identifier no longer fits the signature
      expectProtectionError(await reopen(flip(content, at + pki.kgaP256.cert.length - 120)), 'badMessageCheck');
    });

    it('finds a signer certificate the SignedData does not carry among extraCertificates', async () => {
      const parsed = AsnConvert.parse(bufferOf(await signedData()), SignedData);
      delete parsed.certificates;
      const withoutCerts = new Uint8Array(AsnConvert.serialize(parsed));
      const der = await createEnvelopedData(withoutCerts, {
        crypto,
        recipient,
        contentType: oids.id_signedData,
      });
      const encryptedKey = { type: 'envelopedData' as const, value: { der } };
      expectProtectionError(await failure(openEnvelopedPrivateKey(encryptedKey, { crypto, key })), 'badMessageCheck');
      const opened = await openEnvelopedPrivateKey(encryptedKey, {
        crypto,
        key,
        extraCertificates: [pki.ca, pki.kgaP256.cert],
      });
      expect(opened.form === 'envelopedData' && opened.signerCertificate).toEqual(pki.kgaP256.cert);
      expect(opened.form === 'envelopedData' && opened.signerChain).toEqual([pki.ca]);
    });

    it('a flipped ciphertext byte fails with badMessageCheck', async () => {
      const signer = { privateKey: await signerKey(crypto, 'p256'), certificate: pki.kgaP256.cert };
      const encryptedKey = await envelopePrivateKey(pki.generated, { crypto, signer, recipient });
      const der = encryptedKey.value.der;
      const tampered = flip(der, der.length - 20);
      expectProtectionError(
        await failure(openEnvelopedPrivateKey({ type: 'envelopedData', value: { der: tampered } }, { crypto, key })),
        'badMessageCheck',
      );
    });

    it('refuses an iteration count above the limit with badAlg', async () => {
      const signer = { privateKey: await signerKey(crypto, 'p256'), certificate: pki.kgaP256.cert };
      const encryptedKey = await envelopePrivateKey(pki.generated, { crypto, signer, recipient });
      expectProtectionError(
        await failure(
          openEnvelopedPrivateKey(encryptedKey, {
            crypto,
            key: { password: PASSWORD, maxIterationCount: 999 },
          }),
        ),
        'badAlg',
      );
    });
  });

  it('refuses a malformed EnvelopedData with badDataFormat and a non-PKCS#8 input', async () => {
    expectProtectionError(
      await failure(
        openEnvelopedPrivateKey(
          { type: 'envelopedData', value: { der: Uint8Array.of(0x30, 0x03, 2, 1, 0) } },
          { crypto, key: { password: PASSWORD } },
        ),
      ),
      'badDataFormat',
    );
    const signer = { privateKey: await signerKey(crypto, 'p256'), certificate: pki.kgaP256.cert };
    expectProtectionError(
      await failure(
        envelopePrivateKey(pki.ca, {
          crypto,
          signer,
          recipient: { type: 'pwri', password: PASSWORD },
        }),
      ),
      'badDataFormat',
    );
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function bufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}
