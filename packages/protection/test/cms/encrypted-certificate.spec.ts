import { describe, expect, it } from 'vitest';
import { oids, type EncryptedValue } from '@cmpkit/codec';
import {
  decryptEncryptedValue,
  encryptCertificate,
  openEncryptedCertificate,
  openEnvelopedPrivateKey,
  ProtectionError,
  type CmsDecryptionKey,
  type CmsRecipient,
} from '@cmpkit/protection';
import { pki, providers } from './cms-fixtures.js';

async function failure(promise: Promise<unknown>): Promise<ProtectionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProtectionError);
    return error as ProtectionError;
  }
  throw new Error('expected a rejection');
}

/** `RSAES-OAEP-params` with SHA-256 for hash and MGF1 (absent hash parameters), DER. */
function oaepSha256Params(): Uint8Array {
  const sha256 = Uint8Array.from([0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]);
  const mgf1 = Uint8Array.from([0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, ...sha256]);
  const a0 = Uint8Array.from([0xa0, sha256.length, ...sha256]);
  const a1 = Uint8Array.from([0xa1, mgf1.length, ...mgf1]);
  return Uint8Array.from([0x30, a0.length + a1.length, ...a0, ...a1]);
}

/** Builds an EncryptedValue the way an older (RFC 4211) peer does: AES-CBC content, RSA-OAEP key. */
async function encryptedValue(
  crypto: Crypto,
  plaintext: Uint8Array<ArrayBuffer>,
  keyAlg: string = oids.id_RSAES_OAEP,
): Promise<EncryptedValue> {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const cek = await crypto.subtle.importKey('raw', raw, 'AES-CBC', false, ['encrypt']);
  const encValue = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, cek, plaintext));
  const rsa = await crypto.subtle.importKey('spki', await spkiOf(crypto), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  const encSymmKey = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, rsa, raw));
  return {
    symmAlg: {
      algorithm: oids.id_aes256_CBC,
      parameters: { der: Uint8Array.from([0x04, 16, ...iv]) },
    },
    encSymmKey,
    keyAlg: { algorithm: keyAlg, parameters: { der: oaepSha256Params() } },
    encValue,
  };
}

async function spkiOf(crypto: Crypto): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey('pkcs8', pki.eeRsa.key, { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['decrypt']);
  const jwk = await crypto.subtle.exportKey('jwk', key);
  const pub = await crypto.subtle.importKey(
    'jwk',
    { kty: jwk.kty!, n: jwk.n!, e: jwk.e!, alg: jwk.alg! },
    { name: 'RSA-OAEP', hash: 'SHA-256' },
    true,
    ['encrypt'],
  );
  return crypto.subtle.exportKey('spki', pub);
}

describe.each(providers)('encrypted certificates under %s', (_, crypto) => {
  const cases: [string, CmsRecipient, CmsDecryptionKey, CmsDecryptionKey][] = [
    ['ktri', { type: 'ktri', certificate: pki.eeRsa.cert }, { privateKey: pki.eeRsa.key }, { privateKey: pki.eeRsaNoSki.key }],
    [
      'kari',
      { type: 'kari', certificate: pki.eeP384.cert },
      { privateKey: pki.eeP384.key, certificate: pki.eeP384.cert },
      { privateKey: pki.eeP256.key },
    ],
    ['pwri', { type: 'pwri', password: 's3cret', iterationCount: 1000 }, { password: 's3cret' }, { password: 'S3cret' }],
  ];

  it.each(cases)('%s: encrypt, then open to the same certificate; the wrong key fails', async (_, recipient, key, wrongKey) => {
    const encrypted = await encryptCertificate(pki.eeRsa.cert, { crypto, recipient });
    expect(await openEncryptedCertificate(encrypted, { crypto, key })).toEqual(pki.eeRsa.cert);
    expect((await failure(openEncryptedCertificate(encrypted, { crypto, key: wrongKey }))).failInfo).toContain('badMessageCheck');
  });

  it('refuses to encrypt something that is not a certificate', async () => {
    const error = await failure(encryptCertificate(pki.generated, { crypto, recipient: { type: 'pwri', password: 'x' } }));
    expect(error.failInfo).toContain('badDataFormat');
  });

  it('opens a certificate in the deprecated EncryptedValue', async () => {
    const value = await encryptedValue(crypto, pki.eeP256.cert);
    const opened = await openEncryptedCertificate({ type: 'encryptedValue', value }, { crypto, key: { privateKey: pki.eeRsa.key } });
    expect(opened).toEqual(pki.eeP256.cert);
    expect(await decryptEncryptedValue(value, { crypto, key: { privateKey: pki.eeRsa.key } })).toEqual(pki.eeP256.cert);
  });

  it('opens a private key in the deprecated EncryptedValue (no signer)', async () => {
    const value = await encryptedValue(crypto, pki.generated);
    const opened = await openEnvelopedPrivateKey({ type: 'encryptedValue', value }, { crypto, key: { privateKey: pki.eeRsa.key } });
    expect(opened).toEqual({ form: 'encryptedValue', privateKeyPkcs8: pki.generated });
  });

  it('EncryptedValue: wrong key is badMessageCheck, RSAES-PKCS1-v1_5 and passwords are badAlg', async () => {
    const value = await encryptedValue(crypto, pki.eeP256.cert);
    const wrong = await failure(
      openEncryptedCertificate({ type: 'encryptedValue', value }, { crypto, key: { privateKey: pki.eeRsaNoSki.key } }),
    );
    expect(wrong.failInfo).toContain('badMessageCheck');
    const pkcs1 = await failure(
      openEncryptedCertificate(
        { type: 'encryptedValue', value: { ...value, keyAlg: { algorithm: oids.rsaEncryption } } },
        { crypto, key: { privateKey: pki.eeRsa.key } },
      ),
    );
    expect(pkcs1.failInfo).toContain('badAlg');
    const password = await failure(openEncryptedCertificate({ type: 'encryptedValue', value }, { crypto, key: { password: 'x' } }));
    expect(password.failInfo).toContain('badAlg');
  });

  it('an EC key cannot open a key-transport-only envelope', async () => {
    const encrypted = await encryptCertificate(pki.eeRsa.cert, {
      crypto,
      recipient: { type: 'ktri', certificate: pki.eeRsa.cert },
    });
    const error = await failure(openEncryptedCertificate(encrypted, { crypto, key: { privateKey: pki.eeP256.key } }));
    expect(error.failInfo).toContain('badMessageCheck');
  });
});
