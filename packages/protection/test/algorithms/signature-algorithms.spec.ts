import {
  decodePemBlock,
  decodeSubjectPublicKeyInfo,
  encodeProtectedPart,
  oids,
  type AlgorithmIdentifier,
  type PKIMessage,
} from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import {
  createAlgorithmRegistry,
  defaultAlgorithmProviders,
  ecdsaSignatures,
  importPrivateKey,
  protect,
  rsaPssSignatures,
  sha2Digests,
  verifyProtection,
  type AlgorithmProvider,
} from '../../src/index.js';
import { ecdsaDerToRaw, ecdsaRawToDer } from '../../src/algorithms/ecdsa-signature-format.js';
import { decodeRsaSsaPssParams } from '../../src/algorithms/rsa-pss.js';
import { encodeTlv } from '../../src/internal/der.js';
import { PKI_TIME, pki, pkiKey, providers, roundTrip, unprotectedGenm } from '../helpers.js';

const NULL = { der: Uint8Array.of(5, 0) };
const hexOf = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

/** A signed genm with an arbitrary protectionAlg, the signature made by `sign`. */
async function signedWith(
  signer: string,
  protectionAlg: AlgorithmIdentifier,
  sign: (data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>,
): Promise<PKIMessage> {
  const certificate = pki(signer);
  const message = unprotectedGenm(certificate);
  const header = { ...message.header, protectionAlg };
  const protection = await sign(new Uint8Array(encodeProtectedPart({ header, body: message.body })));
  return { header, body: message.body, protection, extraCerts: [{ der: certificate }] };
}

function pkcs8(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(decodePemBlock(pkiKey(name), 'PRIVATE KEY'));
}

function pssParams(hashOid: string, mgfHashOid: string, saltLength: number, trailer?: number): Uint8Array {
  const hash = encodeTlv(0x30, encodeTlv(0x06, oidBytes(hashOid)));
  const mgf = encodeTlv(0x30, encodeTlv(0x06, oidBytes(oids.id_mgf1)), encodeTlv(0x30, encodeTlv(0x06, oidBytes(mgfHashOid))));
  const parts = [encodeTlv(0xa0, hash), encodeTlv(0xa1, mgf), encodeTlv(0xa2, encodeTlv(0x02, Uint8Array.of(saltLength)))];
  if (trailer !== undefined) parts.push(encodeTlv(0xa3, encodeTlv(0x02, Uint8Array.of(trailer))));
  return encodeTlv(0x30, ...parts);
}

function oidBytes(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const out = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const bytes = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

const rsaTrust = { signature: { anchors: [pki('root-rsa')] } };
const ecTrust = { signature: { anchors: [pki('root-ec')] } };

describe.each(providers)('signature algorithms ($name)', ({ crypto }) => {
  const at = PKI_TIME;

  it('accepts RSA PKCS#1 v1.5 identifiers with NULL and with absent parameters', async () => {
    const key = await importPrivateKey(pkiKey('ee-rsa'), { crypto });
    const sign = async (d: Uint8Array<ArrayBuffer>) => new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, d));
    for (const protectionAlg of [
      { algorithm: oids.sha256WithRSAEncryption, parameters: NULL },
      { algorithm: oids.sha256WithRSAEncryption },
    ]) {
      const message = roundTrip(await signedWith('ee-rsa', protectionAlg, sign));
      await expect(verifyProtection(message, rsaTrust, { crypto, at })).resolves.toMatchObject({ algorithm: 'sha256WithRSAEncryption' });
    }
  });

  it('refuses ECDSA and EdDSA identifiers with parameters (badAlg)', async () => {
    const key = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const sign = async (d: Uint8Array<ArrayBuffer>) =>
      ecdsaRawToDer(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, d)));
    const message = roundTrip(await signedWith('ee-p256', { algorithm: oids.ecdsa_with_SHA256, parameters: NULL }, sign));
    await expect(verifyProtection(message, ecTrust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    const ed = roundTrip(await signedWith('ee-p256', { algorithm: oids.id_Ed25519, parameters: NULL }, sign));
    await expect(verifyProtection(ed, ecTrust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badAlg'] });
  });

  it('verifies SHA-1 signatures only with allowSha1', async () => {
    const rsa = await crypto.subtle.importKey('pkcs8', pkcs8('ee-rsa'), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }, false, ['sign']);
    const rsaMessage = roundTrip(
      await signedWith(
        'ee-rsa',
        { algorithm: oids.sha1WithRSAEncryption, parameters: NULL },
        async (d) => new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', rsa, d)),
      ),
    );
    await expect(verifyProtection(rsaMessage, rsaTrust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    await expect(verifyProtection(rsaMessage, rsaTrust, { crypto, at, allowSha1: true })).resolves.toMatchObject({
      algorithm: 'sha1WithRSAEncryption',
    });
    const ec = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const ecMessage = roundTrip(
      await signedWith('ee-p256', { algorithm: oids.ecdsa_with_SHA1 }, async (d) =>
        ecdsaRawToDer(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-1' }, ec, d))),
      ),
    );
    await expect(verifyProtection(ecMessage, ecTrust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    await expect(verifyProtection(ecMessage, ecTrust, { crypto, at, allowSha1: true })).resolves.toMatchObject({
      algorithm: 'ecdsa-with-SHA1',
    });
  });

  it('never signs with SHA-1', async () => {
    const rsa = await crypto.subtle.importKey('pkcs8', pkcs8('ee-rsa'), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }, false, ['sign']);
    await expect(
      protect(unprotectedGenm(pki('ee-rsa')), { privateKey: rsa, certificate: pki('ee-rsa') }, { crypto }),
    ).rejects.toMatchObject({
      failInfo: ['badAlg'],
    });
  });

  it('honours RSASSA-PSS parameters (SHA-384, salt length 0)', async () => {
    const key = await importPrivateKey(pkiKey('ee-rsa'), { crypto, rsa: 'RSA-PSS', hash: 'SHA-384' });
    const protectionAlg = { algorithm: oids.id_RSASSA_PSS, parameters: { der: pssParams(oids.id_sha384, oids.id_sha384, 0) } };
    const message = roundTrip(
      await signedWith(
        'ee-rsa',
        protectionAlg,
        async (d) => new Uint8Array(await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 0 }, key, d)),
      ),
    );
    await expect(verifyProtection(message, rsaTrust, { crypto, at })).resolves.toMatchObject({ algorithm: 'RSASSA-PSS' });
    // The same signature under a different declared salt length does not verify.
    const wrongSalt = roundTrip(
      await signedWith(
        'ee-rsa',
        { ...protectionAlg, parameters: { der: pssParams(oids.id_sha384, oids.id_sha384, 48) } },
        async (d) => new Uint8Array(await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 0 }, key, d)),
      ),
    );
    await expect(verifyProtection(wrongSalt, rsaTrust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badMessageCheck'] });
  });

  it('refuses RSASSA-PSS parameters WebCrypto cannot honour (badAlg)', () => {
    expect(() => decodeRsaSsaPssParams(pssParams(oids.id_sha256, oids.id_sha512, 32))).toThrow(/MGF1/);
    expect(() => decodeRsaSsaPssParams(pssParams(oids.id_sha256, oids.id_sha256, 32, 2))).toThrow(/trailerField/);
    expect(() => decodeRsaSsaPssParams(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00))).toThrow(/malformed|unexpected/);
    expect(decodeRsaSsaPssParams(Uint8Array.of(0x30, 0x00))).toEqual({ hash: 'SHA-1', saltLength: 20 });
    expect(rsaPssSignatures.signature!({ algorithm: oids.id_RSASSA_PSS, parameters: { der: Uint8Array.of(0x30, 0x00) } })?.weak).toBe(true);
    expect(() => rsaPssSignatures.signature!({ algorithm: oids.id_RSASSA_PSS })).toThrow(/parameters are required/);
  });

  it('refuses a signature algorithm that does not fit the signer key (badAlg)', async () => {
    const key = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const message = roundTrip(
      await signedWith('ee-p256', { algorithm: oids.sha256WithRSAEncryption, parameters: NULL }, async (d) =>
        ecdsaRawToDer(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, d))),
      ),
    );
    await expect(verifyProtection(message, ecTrust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badAlg'] });
  });

  it('treats a signature that is not strict DER as a failed check (badMessageCheck)', async () => {
    const key = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const raw = (d: Uint8Array<ArrayBuffer>) =>
      crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, d).then((s) => new Uint8Array(s));
    const message = roundTrip(await signedWith('ee-p256', { algorithm: oids.ecdsa_with_SHA256 }, raw));
    await expect(verifyProtection(message, ecTrust, { crypto, at })).rejects.toMatchObject({ failInfo: ['badMessageCheck'] });
  });
});

describe('ECDSA signature format', () => {
  it('converts r || s to DER and back', () => {
    const raw = hexOf('00ff' + '11'.repeat(30) + '80' + '22'.repeat(31));
    expect(Buffer.from(ecdsaRawToDer(hexOf('00'.repeat(31) + '01' + '00'.repeat(32)))).toString('hex')).toBe('3006' + '020101' + '020100');
    const der = ecdsaRawToDer(raw);
    expect(Buffer.from(der).toString('hex')).toBe('3045' + '0220' + '00ff' + '11'.repeat(30) + '0221' + '0080' + '22'.repeat(31));
    expect(Buffer.from(ecdsaDerToRaw(der, 32)!).equals(Buffer.from(raw))).toBe(true);
  });

  it.each([
    ['non-minimal integer', '3008' + '0202' + '0001' + '0202' + '0001'],
    ['negative integer', '3006' + '020180' + '020101'],
    ['trailing bytes', '3006' + '020101' + '020101' + '00'],
    ['three integers', '3009' + '020101' + '020101' + '020101'],
    ['integer longer than the curve', '3027' + '0222' + '01'.repeat(34) + '020101'],
    ['not a SEQUENCE', '3106' + '020101' + '020101'],
  ])('rejects %s', (_label, hex) => {
    expect(ecdsaDerToRaw(hexOf(hex), 32)).toBeNull();
  });
});

describe('algorithm registry', () => {
  it('asks providers in order; null means "not mine"', () => {
    const seen: string[] = [];
    const spy: AlgorithmProvider = {
      name: 'spy',
      signature(identifier) {
        seen.push(identifier.algorithm);
        return null;
      },
    };
    const registry = createAlgorithmRegistry([spy, ecdsaSignatures]);
    expect(registry.signature({ algorithm: oids.ecdsa_with_SHA256 }).name).toBe('ecdsa-with-SHA256');
    expect(seen).toEqual([oids.ecdsa_with_SHA256]);
    expect(() => registry.signature({ algorithm: oids.sha256WithRSAEncryption })).toThrow(
      /unsupported signature algorithm sha256WithRSAEncryption/,
    );
    expect(() => registry.digest({ algorithm: oids.id_sha256 })).toThrow(expect.objectContaining({ failInfo: ['badAlg'] }));
  });

  it('a registry without HMAC-SHA1 refuses PasswordBasedMac with hMAC-SHA1 (as sent by openssl cmp by default)', async () => {
    const { hmacSha2, sha1Digest } = await import('../../src/index.js');
    const strict = createAlgorithmRegistry([sha2Digests, sha1Digest, hmacSha2]);
    const sent = await protect(unprotectedGenm(), {
      secret: 's',
      senderKID: 'k',
      mac: { algorithm: 'PasswordBasedMac', mac: 'SHA-1', iterationCount: 100 },
    });
    await expect(verifyProtection(roundTrip(sent), { mac: { secret: 's' } }, { algorithms: strict })).rejects.toMatchObject({
      failInfo: ['badAlg'],
    });
    await expect(verifyProtection(roundTrip(sent), { mac: { secret: 's' } })).resolves.toMatchObject({ type: 'mac' });
    expect(defaultAlgorithmProviders.map((p) => p.name)).toContain('hmac-sha1');
  });

  it('accepts hmacWithSHA1 under both OIDs', async () => {
    for (const mac of [oids.id_hmacWithSHA1, oids.hMAC_SHA1]) {
      const { encodePBMParameter } = await import('@cmpkit/codec');
      const protectionAlg = {
        algorithm: oids.id_PasswordBasedMac,
        parameters: {
          der: encodePBMParameter({
            salt: new Uint8Array(16),
            owf: { algorithm: oids.id_sha1 },
            iterationCount: 100,
            mac: { algorithm: mac },
          }),
        },
      };
      const sent = await protect(unprotectedGenm(), { secret: 's', senderKID: 'k', mac: { protectionAlg } });
      await expect(verifyProtection(roundTrip(sent), { mac: { secret: 's' } })).resolves.toMatchObject({ algorithm: 'PasswordBasedMac' });
    }
  });
});

describe('ECDSA public key import', () => {
  const algorithm = ecdsaSignatures.signature!({ algorithm: oids.ecdsa_with_SHA256 })!;

  async function spkiOf(namedCurve: string): Promise<{ der: Uint8Array; keys: CryptoKeyPair }> {
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify'])) as CryptoKeyPair;
    return { der: new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey)), keys };
  }

  for (const namedCurve of ['P-256', 'P-384', 'P-521']) {
    it(`imports an uncompressed ${namedCurve} point that verifies what its private key signed`, async () => {
      const { der, keys } = await spkiOf(namedCurve);
      const publicKey = await algorithm.importPublicKey(crypto, der, decodeSubjectPublicKeyInfo(der));
      expect(publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve });
      const data = new Uint8Array(32);
      const signature = await algorithm.sign(crypto, keys.privateKey, data);
      expect(await algorithm.verify(crypto, publicKey, signature, data)).toBe(true);
    });
  }

  it('refuses a point that is not on the curve (badAlg)', async () => {
    const { der } = await spkiOf('P-256');
    const info = decodeSubjectPublicKeyInfo(der);
    const point = info.subjectPublicKey.slice();
    point[64] = (point[64] as number) ^ 1;
    await expect(algorithm.importPublicKey(crypto, der, { ...info, subjectPublicKey: point })).rejects.toMatchObject({
      failInfo: ['badAlg'],
    });
  });
});
