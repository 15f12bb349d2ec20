import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftHsmToken, softHsmUnavailable, type SoftHsmToken } from '@cmpkit/test-utils';
import { openPkcs11, Pkcs11Error, type Pkcs11Keys } from '../src/index.js';

const unavailable = softHsmUnavailable();
if (unavailable && process.env.CI === 'true') throw new Error(`SoftHSM2 tests cannot run under CI: ${unavailable}`);

describe.skipIf(unavailable)(`openPkcs11 on SoftHSM2${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let token: SoftHsmToken;
  let keys: Pkcs11Keys;
  const data = new TextEncoder().encode('to be signed');

  beforeAll(() => {
    token = createSoftHsmToken({ label: 'pkcs11-spec' });
    keys = openPkcs11({ module: token.module, pin: token.pin, crypto: webcrypto as Crypto });
  });
  afterAll(() => {
    keys?.close();
    token?.remove();
  });

  it('says when the token refuses the PIN, without echoing it (before anyone logged in: PKCS#11 logins are per process)', async () => {
    const wrong = openPkcs11({ module: token.module, pin: '9999' });
    try {
      const error = await wrong
        .privateKey(`pkcs11:token=${token.label};object=ca-key`, { name: 'ECDSA', namedCurve: 'P-256' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Pkcs11Error);
      expect((error as Error).message).toBe(`pkcs11: the token '${token.label}' refused the PIN`);
    } finally {
      wrong.close();
    }
  });

  it('generates a sensitive, never-extractable key on the token and signs with it by URI', async () => {
    const uri = `pkcs11:token=${token.label};object=ca-key;id=%0a`;
    const pair = await keys.generateKeyPair(uri, { name: 'ECDSA', namedCurve: 'P-256' });
    expect(keys.protectionOf(pair.privateKey)).toEqual({
      sensitive: true,
      extractable: false,
      alwaysSensitive: true,
      neverExtractable: true,
    });
    await expect(keys.crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow();

    const privateKey = await keys.privateKey(`${uri};type=private`, { name: 'ECDSA', namedCurve: 'P-256' });
    expect(privateKey.extractable).toBe(false);
    const signature = await keys.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data);
    // The public key leaves the token; the signature verifies with Node's own WebCrypto.
    const spki = await keys.crypto.subtle.exportKey('spki', pair.publicKey);
    const publicKey = await webcrypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    expect(await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, data)).toBe(true);
  });

  it('finds a token key and its public half without being told the algorithm', async () => {
    const uri = `pkcs11:token=${token.label};object=ca-key`;
    const privateKey = await keys.privateKey(uri);
    expect(privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    const publicKey = await keys.publicKey(uri);
    const signature = await keys.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data);
    expect(await keys.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, data)).toBe(true);
    await expect(keys.publicKey(`pkcs11:token=${token.label};object=none`)).rejects.toThrow(/no public key matches/);
  });

  it('signs RSA PKCS#1 v1.5 with a token key', async () => {
    const uri = `pkcs11:token=${token.label};object=rsa-key`;
    const pair = await keys.generateKeyPair(uri, {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: 'SHA-256',
    });
    const privateKey = await keys.privateKey(uri, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
    const signature = await keys.crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, data);
    const spki = await keys.crypto.subtle.exportKey('spki', pair.publicKey);
    const publicKey = await webcrypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    expect(await webcrypto.subtle.verify('RSASSA-PKCS1-v1_5', publicKey, signature, data)).toBe(true);
  });

  it('runs everything but token keys on the fallback crypto', async () => {
    const digest = await keys.crypto.subtle.digest('SHA-256', data);
    expect(new Uint8Array(digest)).toEqual(new Uint8Array(await webcrypto.subtle.digest('SHA-256', data)));
    const soft = await keys.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    expect((await keys.crypto.subtle.exportKey('pkcs8', soft.privateKey)).byteLength).toBeGreaterThan(0);
    expect(keys.protectionOf(soft.privateKey)).toBeUndefined();
    expect(keys.crypto.getRandomValues(new Uint8Array(8))).toHaveLength(8);
  });

  it.each([
    ['an unknown key', () => `pkcs11:token=${token.label};object=nothing-here`, /no private key matches/],
    ['an unknown token', () => 'pkcs11:token=no-such-token;object=ca-key', /no token matches/],
    ['a certificate type', () => `pkcs11:token=${token.label};object=ca-key;type=cert`, /names a cert object/],
    ['no object or id', () => `pkcs11:token=${token.label}`, /names no key/],
  ])('refuses %s', async (_name, uri, message) => {
    await expect(keys.privateKey(uri(), { name: 'ECDSA', namedCurve: 'P-256' })).rejects.toThrow(message);
  });

  it('refuses to generate over an existing key', async () => {
    await expect(keys.generateKeyPair(`pkcs11:token=${token.label};object=ca-key`, { name: 'ECDSA', namedCurve: 'P-256' })).rejects.toThrow(
      /exists already/,
    );
  });

  it('names a module that does not load', async () => {
    const broken = openPkcs11({ module: '/nonexistent/libpkcs11.so', pin: '1' });
    await expect(broken.privateKey('pkcs11:object=x', { name: 'ECDSA', namedCurve: 'P-256' })).rejects.toThrow(
      /cannot load the PKCS#11 module \/nonexistent\/libpkcs11.so/,
    );
    broken.close();
  });
});
