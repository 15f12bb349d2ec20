import { decodePKIMessage, encodePKIMessage, oids } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import { protect, verifyProtection } from '../../src/index.js';
import { fixtureDir, OPENSSL_REF, OPENSSL_SECRET, providers } from '../helpers.js';

const vectors = fixtureDir('der/openssl-3.0');

describe.each(providers)('OpenSSL 3.0 PasswordBasedMac vectors ($name)', ({ crypto }) => {
  it.each(vectors)('%s verifies with the shared secret', async (_name, der) => {
    const message = decodePKIMessage(der);
    const sender = await verifyProtection(message, { mac: { secret: OPENSSL_SECRET, senderKID: OPENSSL_REF } }, { crypto });
    expect(sender.type).toBe('mac');
    expect(sender.type === 'mac' && sender.algorithm).toBe('PasswordBasedMac');
    expect(new TextDecoder().decode(sender.senderKID)).toBe(OPENSSL_REF);
  });

  it.each(vectors)('%s: recomputing its PasswordBasedMac gives its protection byte for byte', async (_name, der) => {
    const message = decodePKIMessage(der);
    expect(message.header.protectionAlg?.algorithm).toBe(oids.id_PasswordBasedMac);
    const again = await protect(
      message,
      { secret: OPENSSL_SECRET, senderKID: OPENSSL_REF, mac: { protectionAlg: message.header.protectionAlg! } },
      { crypto },
    );
    expect(Buffer.from(again.protection!).toString('hex')).toBe(Buffer.from(message.protection!).toString('hex'));
    expect(Buffer.from(encodePKIMessage(again)).equals(Buffer.from(der))).toBe(true);
  });

  it.each(vectors)('%s fails with a wrong secret', async (_name, der) => {
    await expect(verifyProtection(decodePKIMessage(der), { mac: { secret: 'perf-test-secreT' } }, { crypto })).rejects.toMatchObject({
      name: 'ProtectionError',
      failInfo: ['badMessageCheck'],
    });
  });
});
