import { createPrivateKey } from 'node:crypto';
import { decodePemBlock } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import { importPrivateKey } from '../../src/index.js';
import { pkiKey, providers } from '../helpers.js';

describe.each(providers)('importPrivateKey ($name)', ({ crypto }) => {
  it.each([
    ['ee-p256', {}, { name: 'ECDSA', namedCurve: 'P-256' }],
    ['ee-p521', {}, { name: 'ECDSA', namedCurve: 'P-521' }],
    ['ee-rsa', {}, { name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } }],
    ['ee-rsa', { rsa: 'RSA-PSS', hash: 'SHA-512' }, { name: 'RSA-PSS', hash: { name: 'SHA-512' } }],
    ['key-rsassa-pss', {}, { name: 'RSA-PSS', hash: { name: 'SHA-256' } }],
    ['ee-ed25519', {}, { name: 'Ed25519' }],
  ] as const)('PEM %s %j', async (name, options, algorithm) => {
    const key = await importPrivateKey(pkiKey(name), { ...options, crypto });
    expect(key).toMatchObject({ type: 'private', extractable: false, usages: ['sign'], algorithm });
  });

  it('imports PKCS #8 DER, a Node KeyObject, and passes a CryptoKey through', async () => {
    const pem = pkiKey('ee-p384');
    const fromDer = await importPrivateKey(decodePemBlock(pem, 'PRIVATE KEY'), { crypto });
    expect(fromDer.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-384' });
    const fromKeyObject = await importPrivateKey(createPrivateKey(pem), { crypto });
    expect(fromKeyObject.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-384' });
    expect(await importPrivateKey(fromDer)).toBe(fromDer);
  });

  it('refuses public keys, legacy and encrypted PEM, and garbage', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    await expect(importPrivateKey(pair.publicKey, { crypto })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    const node = createPrivateKey(pkiKey('ee-p256'));
    const sec1 = node.export({ format: 'pem', type: 'sec1' }) as string;
    await expect(importPrivateKey(sec1, { crypto })).rejects.toThrow(/openssl pkcs8 -topk8/);
    const encrypted = node.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    await expect(importPrivateKey(encrypted, { crypto })).rejects.toThrow(/encrypted/);
    await expect(importPrivateKey(Uint8Array.of(1, 2, 3), { crypto })).rejects.toMatchObject({ failInfo: ['badDataFormat'] });
    await expect(importPrivateKey('no pem here', { crypto })).rejects.toMatchObject({ failInfo: ['badDataFormat'] });
  });
});
