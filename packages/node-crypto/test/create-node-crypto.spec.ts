import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNodeCrypto } from '../src/index.js';

const base = webcrypto as Crypto;
const fast = createNodeCrypto(base);
const data = base.getRandomValues(new Uint8Array(300));

async function keyPair(algorithm: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm): Promise<CryptoKeyPair> {
  return (await base.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

const rsa = (name: string, hash: string): RsaHashedKeyGenParams => ({
  name,
  hash,
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
});

const cases: ReadonlyArray<
  readonly [string, RsaHashedKeyGenParams | EcKeyGenParams | Algorithm, AlgorithmIdentifier | EcdsaParams | RsaPssParams]
> = [
  ['ECDSA P-256 / SHA-256', { name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }],
  ['ECDSA P-384 / SHA-384', { name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: { name: 'SHA-384' } }],
  ['ECDSA P-521 / SHA-512', { name: 'ECDSA', namedCurve: 'P-521' }, { name: 'ECDSA', hash: 'sha-512' }],
  ['ECDSA P-256 / SHA-1', { name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-1' }],
  ['Ed25519', { name: 'Ed25519' }, { name: 'Ed25519' }],
  ['Ed25519 (name only)', { name: 'Ed25519' }, 'Ed25519'],
  ['RSASSA-PKCS1-v1_5 / SHA-256', rsa('RSASSA-PKCS1-v1_5', 'SHA-256'), { name: 'RSASSA-PKCS1-v1_5' }],
  ['RSA-PSS / SHA-384, salt 48', rsa('RSA-PSS', 'SHA-384'), { name: 'RSA-PSS', saltLength: 48 }],
  ['RSA-PSS / SHA-256, salt 0', rsa('RSA-PSS', 'SHA-256'), { name: 'RSA-PSS', saltLength: 0 }],
];

describe('createNodeCrypto: signatures interoperate with WebCrypto both ways', () => {
  for (const [label, generate, algorithm] of cases) {
    it(label, async () => {
      const keys = await keyPair(generate);
      const ours = await fast.subtle.sign(algorithm, keys.privateKey, data);
      const theirs = await base.subtle.sign(algorithm, keys.privateKey, data);
      expect(ours).toBeInstanceOf(ArrayBuffer);
      expect(ours.byteLength).toBe(theirs.byteLength);
      expect(await base.subtle.verify(algorithm, keys.publicKey, ours, data)).toBe(true);
      expect(await fast.subtle.verify(algorithm, keys.publicKey, theirs, data)).toBe(true);
      expect(await fast.subtle.verify(algorithm, keys.publicKey, theirs, data.subarray(1))).toBe(false);
      const flipped = new Uint8Array(theirs);
      flipped[5] = (flipped[5] as number) ^ 1;
      expect(await fast.subtle.verify(algorithm, keys.publicKey, flipped, data)).toBe(false);
      expect(await fast.subtle.verify(algorithm, keys.publicKey, flipped.subarray(0, 7), data)).toBe(false);
    });
  }

  it('verifies a signature over a view into a larger buffer', async () => {
    const keys = await keyPair({ name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams);
    const padded = new Uint8Array(data.length + 10);
    padded.set(data, 5);
    const view = new DataView(padded.buffer, 5, data.length);
    const signature = await fast.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, view);
    expect(await base.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, keys.publicKey, signature, data)).toBe(true);
  });
});

describe('createNodeCrypto: HMAC', () => {
  for (const hash of ['SHA-1', 'SHA-256', 'SHA-512']) {
    it(`HMAC-${hash} matches WebCrypto`, async () => {
      const key = await base.subtle.importKey('raw', base.getRandomValues(new Uint8Array(40)), { name: 'HMAC', hash }, false, [
        'sign',
        'verify',
      ]);
      const ours = new Uint8Array(await fast.subtle.sign('HMAC', key, data));
      expect(ours).toEqual(new Uint8Array(await base.subtle.sign('HMAC', key, data)));
      expect(await fast.subtle.verify({ name: 'HMAC' }, key, ours, data)).toBe(true);
      expect(await fast.subtle.verify('HMAC', key, ours.subarray(1), data)).toBe(false);
      ours[0] = (ours[0] as number) ^ 1;
      expect(await fast.subtle.verify('HMAC', key, ours, data)).toBe(false);
    });
  }
});

describe('createNodeCrypto: digests', () => {
  for (const name of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) {
    it(`${name} matches WebCrypto`, async () => {
      const ours = await fast.subtle.digest(name, data);
      expect(ours).toBeInstanceOf(ArrayBuffer);
      expect(new Uint8Array(ours)).toEqual(new Uint8Array(await base.subtle.digest(name, data)));
      expect(new Uint8Array(await fast.subtle.digest({ name }, data.buffer))).toEqual(
        new Uint8Array(await base.subtle.digest(name, data.buffer)),
      );
    });
  }

  it('hands an unknown digest to WebCrypto, which refuses it', async () => {
    await expect(fast.subtle.digest('SHA-224', data)).rejects.toThrow();
  });
});

describe('createNodeCrypto: what it leaves to WebCrypto keeps WebCrypto errors', () => {
  it('refuses a key without the usage, as WebCrypto does', async () => {
    const keys = (await base.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const verifyOnly = await base.subtle.importKey(
      'spki',
      await base.subtle.exportKey('spki', keys.publicKey),
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    );
    const expected = await base.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, verifyOnly, data).catch((e: Error) => e.name);
    await expect(fast.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, verifyOnly, data)).rejects.toMatchObject({ name: expected });
  });

  it('refuses an algorithm that does not match the key', async () => {
    const keys = await keyPair({ name: 'Ed25519' });
    await expect(fast.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams, keys.privateKey, data)).rejects.toMatchObject({
      name: 'InvalidAccessError',
    });
  });

  it('refuses a public key for signing and a private key for verifying', async () => {
    const keys = await keyPair({ name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams);
    const algorithm = { name: 'ECDSA', hash: 'SHA-256' };
    await expect(fast.subtle.sign(algorithm, keys.publicKey, data)).rejects.toThrow();
    await expect(fast.subtle.verify(algorithm, keys.privateKey, new Uint8Array(64), data)).rejects.toThrow();
  });

  it('refuses something that is not a CryptoKey', async () => {
    const fake = {
      type: 'private',
      algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
      usages: ['sign'],
      extractable: false,
    } as unknown as CryptoKey;
    await expect(fast.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, fake, data)).rejects.toThrow();
  });

  it('signs RSA on WebCrypto (an RSA private key operation stays off the event loop)', async () => {
    const keys = await keyPair(rsa('RSASSA-PKCS1-v1_5', 'SHA-256'));
    const signature = await fast.subtle.sign('RSASSA-PKCS1-v1_5', keys.privateKey, data);
    expect(await fast.subtle.verify('RSASSA-PKCS1-v1_5', keys.publicKey, signature, data)).toBe(true);
  });

  it('delegates every other method and the random source', async () => {
    const keys = (await fast.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const spki = await fast.subtle.exportKey('spki', keys.publicKey);
    const imported = await fast.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    const signature = await fast.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, data);
    expect(await fast.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, imported, signature, data)).toBe(true);
    expect(fast.subtle.constructor).not.toBe(Object); // inherited names are the base's too, not a plain object's
    expect(fast.getRandomValues(new Uint8Array(16))).toHaveLength(16);
    expect(fast.randomUUID()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
