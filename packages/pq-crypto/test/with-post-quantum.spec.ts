import { webcrypto } from 'node:crypto';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import { postQuantumAlgorithms, withPostQuantum } from '../src/index.js';

const crypto = withPostQuantum(webcrypto as unknown as Crypto, { implementation: 'pure-js' });
const subtle = crypto.subtle as SubtleCrypto & {
  encapsulateBits(a: string, k: CryptoKey): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }>;
  decapsulateBits(a: string, k: CryptoKey, c: BufferSource): Promise<ArrayBuffer>;
  encapsulateKey(
    a: string,
    k: CryptoKey,
    s: AlgorithmIdentifier,
    e: boolean,
    u: KeyUsage[],
  ): Promise<{ sharedKey: CryptoKey; ciphertext: ArrayBuffer }>;
  decapsulateKey(a: string, k: CryptoKey, c: BufferSource, s: AlgorithmIdentifier, e: boolean, u: KeyUsage[]): Promise<CryptoKey>;
  getPublicKey(k: CryptoKey, u: KeyUsage[]): Promise<CryptoKey>;
};
const KEM = ['encapsulateBits', 'decapsulateBits', 'encapsulateKey', 'decapsulateKey'] as unknown as KeyUsage[];
const seed32 = new Uint8Array(32).fill(5);

/** OneAsymmetricKey v0 with `privateKey` as the given inner DER. */
function pkcs8(oidTail: number[], inner: Uint8Array): Uint8Array<ArrayBuffer> {
  const tlv = (tag: number, body: Uint8Array): Uint8Array<ArrayBuffer> => {
    const len = body.length < 128 ? [body.length] : body.length < 256 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
    return Uint8Array.from([tag, ...len, ...body]);
  };
  const oid = tlv(0x06, Uint8Array.from([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, ...oidTail]));
  return tlv(0x30, Uint8Array.from([...tlv(0x02, Uint8Array.of(0)), ...tlv(0x30, oid), ...tlv(0x04, inner)]));
}
const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => Uint8Array.from(parts.flatMap((p) => [...p]));
const octets = (tag: number, body: Uint8Array): Uint8Array<ArrayBuffer> =>
  concat(Uint8Array.of(tag, 0x82, body.length >> 8, body.length & 0xff), body);

describe('withPostQuantum (pure JS)', () => {
  it('lists the six algorithms with their OIDs and lengths', () => {
    expect(postQuantumAlgorithms.map((a) => `${a.name} ${a.oid}`)).toEqual([
      'ML-DSA-44 2.16.840.1.101.3.4.3.17',
      'ML-DSA-65 2.16.840.1.101.3.4.3.18',
      'ML-DSA-87 2.16.840.1.101.3.4.3.19',
      'ML-KEM-512 2.16.840.1.101.3.4.4.1',
      'ML-KEM-768 2.16.840.1.101.3.4.4.2',
      'ML-KEM-1024 2.16.840.1.101.3.4.4.3',
    ]);
  });

  it('ML-DSA: SPKI and PKCS#8 (seed form) round trip, sign with context, and usages are enforced', async () => {
    const pair = (await subtle.generateKey('ML-DSA-65' as never, true, ['sign', 'verify'])) as CryptoKeyPair;
    expect(pair.privateKey.usages).toEqual(['sign']);
    expect(pair.publicKey.usages).toEqual(['verify']);
    expect(Object.prototype.toString.call(pair.privateKey)).toBe('[object CryptoKey]');
    const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
    expect(spki.length).toBe(1952 + 22);
    const der = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
    expect(der.length).toBe(54); // the seed form: 30 34 02 01 00 30 0b 06 09 <oid> 04 22 80 20 <seed>
    const imported = await subtle.importKey('pkcs8', der, 'ML-DSA-65', false, ['sign']);
    const publicKey = await subtle.importKey('spki', spki, { name: 'ml-dsa-65' }, true, ['verify']);
    const data = new TextEncoder().encode('message');
    const context = new TextEncoder().encode('CMP');
    const signature = await subtle.sign({ name: 'ML-DSA-65', context } as Algorithm, imported, data);
    expect(await subtle.verify({ name: 'ML-DSA-65', context } as Algorithm, publicKey, signature, data)).toBe(true);
    expect(await subtle.verify('ML-DSA-65', publicKey, signature, data)).toBe(false);
    await expect(subtle.exportKey('pkcs8', imported)).rejects.toMatchObject({ name: 'InvalidAccessError' });
    await expect(subtle.sign('ML-DSA-65', publicKey, data)).rejects.toMatchObject({ name: 'InvalidAccessError' });
    await expect(subtle.sign('ML-DSA-44', imported, data)).rejects.toMatchObject({ name: 'InvalidAccessError' });
    await expect(subtle.importKey('pkcs8', der, 'ML-DSA-65', false, ['verify'])).rejects.toMatchObject({ name: 'SyntaxError' });
    await expect(subtle.importKey('spki', spki, 'ML-DSA-44', true, ['verify'])).rejects.toMatchObject({ name: 'DataError' });
    await expect(subtle.importKey('raw-public' as 'raw', spki.slice(22, 100), 'ML-DSA-65', true, ['verify'])).rejects.toMatchObject({
      name: 'DataError',
    });
  });

  it('ML-DSA: PKCS#8 expandedKey and both forms; a both form whose halves differ is refused', async () => {
    const { secretKey, publicKey } = ml_dsa65.keygen(seed32);
    const expanded = await subtle.importKey('pkcs8', pkcs8([0x03, 0x12], octets(0x04, secretKey)), 'ML-DSA-65', true, ['sign']);
    const viaPublic = await subtle.getPublicKey(expanded, ['verify']);
    expect(new Uint8Array(await subtle.exportKey('raw-public' as 'raw', viaPublic))).toEqual(publicKey);
    await expect(subtle.exportKey('raw-seed' as 'raw', expanded)).rejects.toMatchObject({ name: 'OperationError' });
    const both = concat(Uint8Array.of(0x30, 0x82, 0x0f, 0xe6), Uint8Array.of(0x04, 0x20), seed32, octets(0x04, secretKey));
    await subtle.importKey('pkcs8', pkcs8([0x03, 0x12], both), 'ML-DSA-65', false, ['sign']);
    const otherSeed = new Uint8Array(32).fill(6);
    const mismatched = concat(Uint8Array.of(0x30, 0x82, 0x0f, 0xe6), Uint8Array.of(0x04, 0x20), otherSeed, octets(0x04, secretKey));
    await expect(subtle.importKey('pkcs8', pkcs8([0x03, 0x12], mismatched), 'ML-DSA-65', false, ['sign'])).rejects.toMatchObject({
      name: 'DataError',
    });
    await expect(
      subtle.importKey('pkcs8', pkcs8([0x03, 0x12], octets(0x04, secretKey.subarray(1))), 'ML-DSA-65', false, ['sign']),
    ).rejects.toMatchObject({
      name: 'DataError',
    });
  });

  it('ML-KEM: encapsulate/decapsulate bits and keys; a wrong key gives another secret; a short ciphertext is refused', async () => {
    const pair = (await subtle.generateKey('ML-KEM-768' as never, true, KEM)) as CryptoKeyPair;
    const other = (await subtle.generateKey('ML-KEM-768' as never, true, KEM)) as CryptoKeyPair;
    const { sharedKey, ciphertext } = await subtle.encapsulateBits('ML-KEM-768', pair.publicKey);
    expect(ciphertext.byteLength).toBe(1088);
    expect(new Uint8Array(await subtle.decapsulateBits('ML-KEM-768', pair.privateKey, ciphertext))).toEqual(new Uint8Array(sharedKey));
    expect(new Uint8Array(await subtle.decapsulateBits('ML-KEM-768', other.privateKey, ciphertext))).not.toEqual(new Uint8Array(sharedKey));
    await expect(subtle.decapsulateBits('ML-KEM-768', pair.privateKey, new Uint8Array(1087))).rejects.toMatchObject({
      name: 'OperationError',
    });
    await expect(subtle.decapsulateBits('ML-KEM-768', pair.publicKey, ciphertext)).rejects.toMatchObject({ name: 'InvalidAccessError' });
    const hkdf = { name: 'HKDF' };
    const encapsulated = await subtle.encapsulateKey('ML-KEM-768', pair.publicKey, hkdf, false, ['deriveBits']);
    const decapsulated = await subtle.decapsulateKey('ML-KEM-768', pair.privateKey, encapsulated.ciphertext, hkdf, false, ['deriveBits']);
    const params = { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(0) };
    expect(await subtle.deriveBits(params, encapsulated.sharedKey, 256)).toEqual(await subtle.deriveBits(params, decapsulated, 256));
    const der = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
    expect(der.length).toBe(86); // seed form, 64-byte seed
    const { secretKey } = ml_kem768.keygen(new Uint8Array(await subtle.exportKey('raw-seed' as 'raw', pair.privateKey)));
    const expanded = await subtle.importKey('pkcs8', pkcs8([0x04, 0x02], octets(0x04, secretKey)), 'ML-KEM-768', false, [
      'decapsulateBits' as KeyUsage,
    ]);
    expect(new Uint8Array(await subtle.decapsulateBits('ML-KEM-768', expanded, ciphertext))).toEqual(new Uint8Array(sharedKey));
  });

  it('leaves every other algorithm to the base Crypto', async () => {
    const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const data = Uint8Array.of(1, 2, 3);
    const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data);
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, signature, data)).toBe(true);
    expect(new Uint8Array(await subtle.digest('SHA-256', data)).length).toBe(32);
  });
});
