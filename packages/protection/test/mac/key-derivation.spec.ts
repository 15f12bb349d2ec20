// Password-based key derivations go through the injected deriver; derived MAC keys are reused
// from the cache only after a MAC verified with them; an unknown senderKID costs the same
// derivation as a wrong secret and fails with the same words.
import { CmpError, type PKIMessage } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import {
  createEnvelopedData,
  createMacKeyCache,
  inlineKeyDeriver,
  openEnvelopedData,
  protect,
  verifyProtection,
  type MacChoice,
  type PasswordDerivation,
  type PasswordKeyDeriver,
} from '../../src/index.js';
import { roundTrip, unprotectedGenm } from '../helpers.js';

const crypto = globalThis.crypto;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A deriver that derives inline and records what it was asked. */
function recordingDeriver(): PasswordKeyDeriver & { calls: PasswordDerivation[] } {
  const inline = inlineKeyDeriver({ crypto });
  const calls: PasswordDerivation[] = [];
  return {
    calls,
    derive(derivation) {
      calls.push(derivation);
      return inline.derive(derivation);
    },
  };
}

const PBM: MacChoice = { algorithm: 'PasswordBasedMac', owf: 'SHA-256', mac: 'SHA-1', iterationCount: 500 };
const PBMAC1: MacChoice = { algorithm: 'PBMAC1', iterationCount: 1000 };
const secrets = new Map([['known', 'the secret']]);
const lookup = (kid: Uint8Array | undefined) => (kid ? secrets.get(new TextDecoder().decode(kid)) : undefined);

async function macMessage(secret: string, senderKID: string, mac: MacChoice): Promise<PKIMessage> {
  return protect(unprotectedGenm(), { secret, senderKID, mac }, { crypto });
}

describe('password-based key derivation', () => {
  it.each([
    ['PasswordBasedMac', PBM, { algorithm: 'PasswordBasedMac', owf: 'SHA-256', iterationCount: 500 }],
    ['PBMAC1', PBMAC1, { algorithm: 'PBKDF2', prf: 'SHA-256', iterationCount: 1000, keyLength: 32 }],
  ] as const)('%s: the injected deriver gets the whole derivation by value', async (_name, mac, expected) => {
    const deriver = recordingDeriver();
    const message = roundTrip(await macMessage('the secret', 'known', mac));
    await expect(verifyProtection(message, { mac: { secret: lookup } }, { crypto, keyDeriver: deriver })).resolves.toMatchObject({
      type: 'mac',
    });
    expect(deriver.calls).toHaveLength(1);
    expect(deriver.calls[0]).toMatchObject({ ...expected, secret: text('the secret') });
    expect(deriver.calls[0]!.salt).toHaveLength(16);
  });

  it('a deriver that refuses (CmpError) is answered with its error, unchanged', async () => {
    const busy = new CmpError('CMP_ERR_TEST', 'too busy', { failInfo: ['systemUnavail'] });
    const refusing: PasswordKeyDeriver = { derive: () => Promise.reject(busy) };
    const message = roundTrip(await macMessage('the secret', 'known', PBM));
    await expect(verifyProtection(message, { mac: { secret: lookup } }, { crypto, keyDeriver: refusing })).rejects.toBe(busy);
  });

  it.each([
    ['PasswordBasedMac', PBM],
    ['PBMAC1', PBMAC1],
  ] as const)('%s: an unknown senderKID costs the same derivation and fails with the same words as a wrong secret', async (_n, mac) => {
    const deriver = recordingDeriver();
    const options = { crypto, keyDeriver: deriver, macKeyCache: createMacKeyCache() };
    const unknown = roundTrip(await macMessage('the secret', 'nobody', mac));
    const wrong = roundTrip(await macMessage('a guess', 'known', mac));
    const unknownError = await verifyProtection(unknown, { mac: { secret: lookup } }, options).catch((e: unknown) => e);
    const wrongError = await verifyProtection(wrong, { mac: { secret: lookup } }, options).catch((e: unknown) => e);
    expect(unknownError).toMatchObject({ failInfo: ['badMessageCheck'] });
    expect(wrongError).toMatchObject({ failInfo: ['badMessageCheck'], message: (unknownError as Error).message });
    expect(deriver.calls).toHaveLength(2);
    const [forUnknown, forWrong] = deriver.calls;
    const { secret: _s1, salt: _a, ...unknownWork } = forUnknown!;
    const { secret: _s2, salt: _b, ...wrongWork } = forWrong!;
    expect(unknownWork).toEqual(wrongWork);
    // The unknown reference was tried with a random secret, never with an empty or fixed one.
    expect(forUnknown!.secret).toHaveLength(32);
    // Neither failure is cached: asking again derives again.
    await verifyProtection(wrong, { mac: { secret: lookup } }, options).catch(() => undefined);
    expect(deriver.calls).toHaveLength(3);
  });

  it('a verified MAC key is reused for the answer with the same parameters and for later messages with them', async () => {
    const deriver = recordingDeriver();
    const macKeyCache = createMacKeyCache();
    const options = { crypto, keyDeriver: deriver, macKeyCache };
    const request = roundTrip(await macMessage('the secret', 'known', PBM));
    await verifyProtection(request, { mac: { secret: lookup } }, options);
    expect(deriver.calls).toHaveLength(1);
    // The answer keeps the request's parameters (RFC 9810 5.1.3.1): no second derivation.
    const answer = await protect(
      unprotectedGenm(),
      { secret: 'the secret', senderKID: 'known', mac: { protectionAlg: request.header.protectionAlg! } },
      options,
    );
    expect(deriver.calls).toHaveLength(1);
    // ... and the answer verifies with a derivation of its own.
    await expect(verifyProtection(roundTrip(answer), { mac: { secret: 'the secret' } }, { crypto })).resolves.toMatchObject({
      type: 'mac',
    });
    // Other parameters (a new salt) derive again; another secret with the same parameters too.
    await verifyProtection(roundTrip(await macMessage('the secret', 'known', PBM)), { mac: { secret: lookup } }, options);
    expect(deriver.calls).toHaveLength(2);
    await expect(
      protect(unprotectedGenm(), { secret: 'other', senderKID: 'x', mac: { protectionAlg: request.header.protectionAlg! } }, options),
    ).resolves.toBeDefined();
    expect(deriver.calls).toHaveLength(3);
  });

  it('the cache forgets the least recently used key, and keys older than maxAgeMs', async () => {
    let now = 0;
    const cache = createMacKeyCache({ maxEntries: 2, maxAgeMs: 1000, now: () => now });
    const key = (await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])) as CryptoKey;
    const s = text('s');
    cache.set('a', s, key);
    cache.set('b', s, key);
    expect(cache.get('a', s)).toBe(key); // a is now the most recently used
    cache.set('c', s, key);
    expect(cache.get('b', s)).toBeUndefined();
    expect(cache.get('a', s)).toBe(key);
    expect(cache.get('a', text('t'))).toBeUndefined(); // same parameters, other secret
    now = 1001;
    expect(cache.get('c', s)).toBeUndefined();
    expect(() => createMacKeyCache({ maxEntries: 0 })).toThrow(RangeError);
  });

  it('PWRI (CMS password recipients) derives through the injected deriver, both ways', async () => {
    const deriver = recordingDeriver();
    const recipient = { type: 'pwri', password: 'pwri password', iterationCount: 2000 } as const;
    const der = await createEnvelopedData(text('content'), { crypto, keyDeriver: deriver, recipient });
    const opened = await openEnvelopedData(der, { crypto, keyDeriver: deriver, key: { password: 'pwri password' } });
    expect(new TextDecoder().decode(opened.content)).toBe('content');
    expect(deriver.calls.map((c) => c.algorithm === 'PBKDF2' && c.iterationCount)).toEqual([2000, 2000]);
  });
});
