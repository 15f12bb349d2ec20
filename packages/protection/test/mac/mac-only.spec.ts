import { decodePKIMessage, oids } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import { importPrivateKey, protect, protectWithMac, verifyMacProtection, verifyProtection } from '../../src/index.js';
import { fixture, pki, pkiKey, providers, roundTrip, unprotectedGenm } from '../helpers.js';

describe.each(providers)('protectWithMac, verifyMacProtection ($name)', ({ crypto }) => {
  it.each([
    ['PBMAC1 (default)', undefined, 'PBMAC1'],
    ['PasswordBasedMac', { algorithm: 'PasswordBasedMac' as const, iterationCount: 200 }, 'PasswordBasedMac'],
  ])('%s: what protect and verifyProtection do with a shared secret', async (_label, mac, algorithm) => {
    const credential = { secret: 'shared secret', senderKID: 'kid-1', ...(mac ? { mac } : {}) };
    const message = unprotectedGenm();
    const mine = roundTrip(await protectWithMac(message, credential, { crypto }));
    expect(message.header.protectionAlg).toBeUndefined();
    expect(new TextDecoder().decode(mine.header.senderKID)).toBe('kid-1');
    // Each side accepts what the other protected.
    const general = roundTrip(await protect(message, credential, { crypto }));
    for (const received of [mine, general]) {
      await expect(verifyMacProtection(received, { secret: 'shared secret', senderKID: 'kid-1' }, { crypto })).resolves.toMatchObject({
        type: 'mac',
        algorithm,
      });
    }
    await expect(verifyProtection(mine, { mac: { secret: 'shared secret' } }, { crypto })).resolves.toMatchObject({
      type: 'mac',
      algorithm,
    });
    await expect(verifyMacProtection(mine, { secret: 'other secret' }, { crypto })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
  });

  it("verifies OpenSSL 3.0's PasswordBasedMac", async () => {
    const ip = decodePKIMessage(fixture('der/openssl-3.0/ip.der'));
    await expect(verifyMacProtection(ip, { secret: 'perf-test-secret', senderKID: '3078' }, { crypto })).resolves.toMatchObject({
      algorithm: 'PasswordBasedMac',
    });
  });

  it('refuses a signature (wrongIntegrity), no protection (badMessageCheck), an unknown reference (badMessageCheck, RFC 9483 section 3.5) and MAC parameters out of bounds (badAlg)', async () => {
    const certificate = pki('ee-p256');
    const privateKey = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const signed = roundTrip(await protect(unprotectedGenm(certificate), { privateKey, certificate }, { crypto }));
    await expect(verifyMacProtection(signed, { secret: 's' }, { crypto })).rejects.toMatchObject({ failInfo: ['wrongIntegrity'] });
    await expect(verifyMacProtection(roundTrip(unprotectedGenm()), { secret: 's' }, { crypto })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    const mac = roundTrip(await protectWithMac(unprotectedGenm(), { secret: 's', senderKID: 'b' }, { crypto }));
    await expect(verifyMacProtection(mac, { secret: () => undefined }, { crypto })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    await expect(
      verifyMacProtection(mac, { secret: 's' }, { crypto, macBounds: { PBMAC1: { maxIterations: 5000 } } }),
    ).rejects.toMatchObject({
      failInfo: ['badAlg'],
    });
    expect(mac.header.protectionAlg?.algorithm).toBe(oids.id_PBMAC1);
  });
});
