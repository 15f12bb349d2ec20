import { createHmac, hkdfSync } from 'node:crypto';
import {
  decodeKemBMParameter,
  encodeKemOtherInfo,
  encodeKemBMParameter,
  encodeProtectedPart,
  encodeSubjectPublicKeyInfo,
  decodeSubjectPublicKeyInfo,
  oids,
} from '@cmpkit/codec';
import { withPostQuantum } from '@cmpkit/pq-crypto';
import { describe, expect, it } from 'vitest';
import { decapsulate, encapsulate, protect, verifyProtection } from '../../src/index.js';
import { roundTrip, unprotectedGenm } from '../helpers.js';

const crypto = withPostQuantum(globalThis.crypto, { implementation: 'pure-js' });
const KEM_USAGES = ['encapsulateBits', 'decapsulateBits'] as never;

async function kemPair(name = 'ML-KEM-768'): Promise<{ keys: CryptoKeyPair; spki: Uint8Array }> {
  const keys = (await crypto.subtle.generateKey(name as never, true, KEM_USAGES)) as CryptoKeyPair;
  return { keys, spki: new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey)) };
}

describe('ML-KEM encapsulation for CMP (KemCiphertextInfo)', () => {
  it('encapsulates to an ML-KEM key and decapsulates the same secret; another key gets another secret', async () => {
    const { keys, spki } = await kemPair();
    const { kemCiphertextInfo, sharedSecret } = await encapsulate(spki, { crypto });
    expect(kemCiphertextInfo.kem).toEqual({ algorithm: oids.id_alg_ml_kem_768 });
    expect(kemCiphertextInfo.ct.length).toBe(1088);
    expect(await decapsulate(kemCiphertextInfo, keys.privateKey, { crypto })).toEqual(sharedSecret);
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
    expect(await decapsulate(kemCiphertextInfo, pkcs8, { crypto })).toEqual(sharedSecret);
    const other = await kemPair();
    expect(await decapsulate(kemCiphertextInfo, other.keys.privateKey, { crypto })).not.toEqual(sharedSecret);
  });

  it('refuses a wrong-size ciphertext (badMessageCheck), another KEM, a non-KEM key, and a crypto without ML-KEM (badAlg)', async () => {
    const { keys, spki } = await kemPair();
    const { kemCiphertextInfo } = await encapsulate(spki, { crypto });
    await expect(
      decapsulate({ ...kemCiphertextInfo, ct: kemCiphertextInfo.ct.subarray(1) }, keys.privateKey, { crypto }),
    ).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    await expect(
      decapsulate({ ...kemCiphertextInfo, kem: { algorithm: oids.id_alg_ml_kem_512 } }, keys.privateKey, { crypto }),
    ).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    await expect(
      decapsulate({ ...kemCiphertextInfo, kem: { algorithm: oids.id_X25519 } }, keys.privateKey, { crypto }),
    ).rejects.toMatchObject({
      failInfo: ['badAlg'],
    });
    const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair;
    const ecSpki = new Uint8Array(await crypto.subtle.exportKey('spki', ec.publicKey));
    await expect(encapsulate(ecSpki, { crypto })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    await expect(encapsulate(spki, { crypto: globalThis.crypto })).rejects.toMatchObject({ failInfo: ['badAlg'] });
  });
});

describe('KEM-based MAC protection (RFC 9810 section 5.1.3.4)', () => {
  it('protects with id-KemBasedMac and matches an independent HKDF/HMAC computation (node:crypto)', async () => {
    const ss = crypto.getRandomValues(new Uint8Array(32));
    const message = await protect(unprotectedGenm(), { kemSharedSecret: ss, senderKID: 'kem-1' }, { crypto });
    const alg = message.header.protectionAlg!;
    expect(alg.algorithm).toBe(oids.id_KemBasedMac);
    const params = decodeKemBMParameter(alg.parameters!.der);
    expect(params).toEqual({ kdf: { algorithm: oids.id_alg_hkdf_with_sha256 }, len: 32, mac: { algorithm: oids.id_hmacWithSHA256 } });
    expect(encodeKemBMParameter(params)).toEqual(alg.parameters!.der);
    const info = encodeKemOtherInfo({ staticString: ['CMP-KEM'], transactionID: message.header.transactionID! });
    const ssk = Buffer.from(hkdfSync('sha256', ss, new Uint8Array(0), info, 32));
    const expected = createHmac('sha256', ssk)
      .update(encodeProtectedPart({ header: message.header, body: message.body }))
      .digest();
    expect(Buffer.from(message.protection!)).toEqual(expected);

    const verified = await verifyProtection(roundTrip(message), { kem: { sharedSecret: ss } }, { crypto });
    expect(verified).toMatchObject({ type: 'kemMac', algorithm: 'KemBasedMac' });
    const byLookup = await verifyProtection(
      roundTrip(message),
      { kem: { sharedSecret: async (tid) => (tid.length === 16 ? ss : undefined) } },
      { crypto },
    );
    expect(byLookup.type).toBe('kemMac');
  });

  it('binds the key to the transaction and to ss; refuses other trust, unknown KDFs and short keys', async () => {
    const ss = crypto.getRandomValues(new Uint8Array(32));
    const genm = unprotectedGenm();
    const message = await protect(
      genm,
      { kemSharedSecret: ss, kemMac: { kdf: 'HKDF-SHA512', mac: 'HMAC-SHA512', len: 64, kemContext: Uint8Array.of(1, 2) } },
      { crypto },
    );
    const otherTransaction = await protect(
      { ...genm, header: { ...genm.header, transactionID: new Uint8Array(16).fill(9) } },
      { kemSharedSecret: ss, kemMac: { kdf: 'HKDF-SHA512', mac: 'HMAC-SHA512', len: 64, kemContext: Uint8Array.of(1, 2) } },
      { crypto },
    );
    expect(otherTransaction.protection).not.toEqual(message.protection);
    await verifyProtection(roundTrip(message), { kem: { sharedSecret: ss } }, { crypto });
    const wrong = ss.map((b, i) => (i === 0 ? b ^ 1 : b));
    await expect(verifyProtection(roundTrip(message), { kem: { sharedSecret: wrong } }, { crypto })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    await expect(verifyProtection(roundTrip(message), { mac: { secret: 'x' } }, { crypto })).rejects.toMatchObject({
      failInfo: ['wrongIntegrity'],
    });
    await expect(verifyProtection(roundTrip(message), { kem: { sharedSecret: () => undefined } }, { crypto })).rejects.toMatchObject({
      failInfo: ['signerNotTrusted'],
    });
    const withParams = (kdf: string, len: number) => ({
      algorithm: oids.id_KemBasedMac,
      parameters: { der: encodeKemBMParameter({ kdf: { algorithm: kdf }, len, mac: { algorithm: oids.id_hmacWithSHA256 } }) },
    });
    for (const protectionAlg of [
      withParams(oids.id_KMACWithSHAKE256, 32),
      withParams(oids.id_alg_hkdf_with_sha256, 8),
      { algorithm: oids.id_KemBasedMac },
    ]) {
      const tampered = roundTrip({ ...message, header: { ...message.header, protectionAlg } });
      await expect(verifyProtection(tampered, { kem: { sharedSecret: ss } }, { crypto })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    }
  });

  it('a full Figure 4 exchange: Bob encapsulates to Alice’s ML-KEM key, Alice answers under KEM-based MAC', async () => {
    const { keys, spki } = await kemPair('ML-KEM-1024');
    expect(encodeSubjectPublicKeyInfo(decodeSubjectPublicKeyInfo(spki))).toEqual(spki);
    const bob = await encapsulate(spki, { crypto });
    const aliceSecret = await decapsulate(bob.kemCiphertextInfo, keys.privateKey, { crypto });
    const reply = await protect(unprotectedGenm(), { kemSharedSecret: aliceSecret }, { crypto });
    expect((await verifyProtection(roundTrip(reply), { kem: { sharedSecret: bob.sharedSecret } }, { crypto })).type).toBe('kemMac');
  });
});
