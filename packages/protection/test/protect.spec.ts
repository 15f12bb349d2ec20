import { decodePKIMessage, encodePKIMessage, encodeProtectedPart, oids } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import {
  importPrivateKey,
  parseCertificate,
  protect,
  verifyProtection,
  type ImportPrivateKeyOptions,
  type MacChoice,
  type Sha2Name,
} from '../src/index.js';
import { PKI_TIME, pki, pkiKey, providers, roundTrip, supports, unprotectedGenm } from './helpers.js';

const MAC_CHOICES: [string, MacChoice | undefined, string][] = [
  ['default (PBMAC1)', undefined, 'PBMAC1'],
  ['PBMAC1 PRF SHA-512, MAC SHA-384', { algorithm: 'PBMAC1', prf: 'SHA-512', mac: 'SHA-384', iterationCount: 2000 }, 'PBMAC1'],
  ['PasswordBasedMac SHA-256', { algorithm: 'PasswordBasedMac', iterationCount: 200 }, 'PasswordBasedMac'],
  [
    'PasswordBasedMac SHA-1 / hMAC-SHA1',
    { algorithm: 'PasswordBasedMac', owf: 'SHA-1', mac: 'SHA-1', iterationCount: 200 },
    'PasswordBasedMac',
  ],
  [
    'PasswordBasedMac SHA-512 / HMAC-SHA512',
    { algorithm: 'PasswordBasedMac', owf: 'SHA-512', mac: 'SHA-512', iterationCount: 200 },
    'PasswordBasedMac',
  ],
];

interface SignerCase {
  name: string;
  cert: string;
  root: string;
  key: ImportPrivateKeyOptions;
  hash?: Sha2Name;
  algorithm: string;
  protectionOid: string;
  requires?: Algorithm | EcKeyGenParams;
  chain?: string[];
}

const SIGNERS: SignerCase[] = [
  { name: 'ECDSA P-256', cert: 'ee-p256', root: 'root-ec', key: {}, algorithm: 'ecdsa-with-SHA256', protectionOid: oids.ecdsa_with_SHA256 },
  {
    name: 'ECDSA P-256 with SHA-512',
    cert: 'ee-p256',
    root: 'root-ec',
    key: {},
    hash: 'SHA-512',
    algorithm: 'ecdsa-with-SHA512',
    protectionOid: oids.ecdsa_with_SHA512,
  },
  { name: 'ECDSA P-384', cert: 'ee-p384', root: 'root-ec', key: {}, algorithm: 'ecdsa-with-SHA384', protectionOid: oids.ecdsa_with_SHA384 },
  { name: 'ECDSA P-521', cert: 'ee-p521', root: 'root-ec', key: {}, algorithm: 'ecdsa-with-SHA512', protectionOid: oids.ecdsa_with_SHA512 },
  {
    name: 'ECDSA via intermediate',
    cert: 'ee-chain',
    root: 'root-ec',
    key: {},
    algorithm: 'ecdsa-with-SHA256',
    protectionOid: oids.ecdsa_with_SHA256,
    chain: ['int-ec'],
  },
  {
    name: 'RSA PKCS#1 SHA-256',
    cert: 'ee-rsa',
    root: 'root-rsa',
    key: {},
    algorithm: 'sha256WithRSAEncryption',
    protectionOid: oids.sha256WithRSAEncryption,
  },
  {
    name: 'RSA PKCS#1 SHA-384',
    cert: 'ee-rsa',
    root: 'root-rsa',
    key: { hash: 'SHA-384' },
    algorithm: 'sha384WithRSAEncryption',
    protectionOid: oids.sha384WithRSAEncryption,
  },
  {
    name: 'RSA PKCS#1 SHA-512',
    cert: 'ee-rsa',
    root: 'root-rsa',
    key: { hash: 'SHA-512' },
    algorithm: 'sha512WithRSAEncryption',
    protectionOid: oids.sha512WithRSAEncryption,
  },
  {
    name: 'RSASSA-PSS SHA-256',
    cert: 'ee-rsa',
    root: 'root-rsa',
    key: { rsa: 'RSA-PSS' },
    algorithm: 'RSASSA-PSS',
    protectionOid: oids.id_RSASSA_PSS,
  },
  {
    name: 'RSASSA-PSS SHA-512 (PSS-signed cert)',
    cert: 'ee-rsa-pss',
    root: 'root-rsa',
    key: { rsa: 'RSA-PSS', hash: 'SHA-512' },
    algorithm: 'RSASSA-PSS',
    protectionOid: oids.id_RSASSA_PSS,
  },
  {
    name: 'Ed25519',
    cert: 'ee-ed25519',
    root: 'root-ec',
    key: {},
    algorithm: 'Ed25519',
    protectionOid: oids.id_Ed25519,
    requires: { name: 'Ed25519' },
  },
  { name: 'Ed448', cert: 'ee-ed448', root: 'root-ec', key: {}, algorithm: 'Ed448', protectionOid: oids.id_Ed448 },
];

describe.each(providers)('protect -> verifyProtection ($name)', ({ crypto }) => {
  it.each(MAC_CHOICES)('MAC: %s', async (_label, mac, algorithm) => {
    const message = unprotectedGenm();
    const protectedMessage = await protect(message, { secret: 'shared secret', senderKID: 'kid-1', ...(mac ? { mac } : {}) }, { crypto });
    expect(message.header.protectionAlg).toBeUndefined(); // the input is not modified
    const received = roundTrip(protectedMessage);
    const sender = await verifyProtection(received, { mac: { secret: 'shared secret', senderKID: 'kid-1' } }, { crypto });
    expect(sender).toMatchObject({ type: 'mac', algorithm });
    expect(new TextDecoder().decode(received.header.senderKID)).toBe('kid-1');
    await expect(verifyProtection(received, { mac: { secret: 'other secret' } }, { crypto })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
  });

  it('default MAC is PBMAC1 with PBKDF2-HMAC-SHA256, 10 000 iterations, 16-byte salt, keyLength 32, HMAC-SHA256', async () => {
    const protectedMessage = await protect(unprotectedGenm(), { secret: 's', senderKID: 'k' }, { crypto });
    const alg = protectedMessage.header.protectionAlg!;
    expect(alg.algorithm).toBe(oids.id_PBMAC1);
    const { decodePBMAC1Params, decodePBKDF2Params } = await import('@cmpkit/codec');
    const params = decodePBMAC1Params(alg.parameters!.der);
    expect(params.keyDerivationFunc.algorithm).toBe(oids.id_PBKDF2);
    expect(params.messageAuthScheme.algorithm).toBe(oids.id_hmacWithSHA256);
    const kdf = decodePBKDF2Params(params.keyDerivationFunc.parameters!.der);
    expect(kdf).toMatchObject({ iterationCount: 10_000, keyLength: 32, prf: { algorithm: oids.id_hmacWithSHA256 } });
    expect(kdf.salt.type === 'specified' && kdf.salt.value.length).toBe(16);
  });

  it.each(SIGNERS)('signature: $name', async (c) => {
    if (c.requires && !(await supports(crypto, c.requires))) return;
    if (
      c.name === 'Ed448' &&
      !(await supports(crypto, { name: 'Ed448' })) &&
      !(await supports(crypto, { name: 'EdDSA', namedCurve: 'Ed448' } as EcKeyGenParams))
    )
      return;
    const certificate = pki(c.cert);
    const privateKey = await importPrivateKey(pkiKey(c.cert), { ...c.key, crypto });
    const chain = (c.chain ?? []).map(pki);
    const protectedMessage = await protect(
      unprotectedGenm(certificate),
      { privateKey, certificate, chain, ...(c.hash ? { hash: c.hash } : {}) },
      { crypto },
    );
    const received = roundTrip(protectedMessage);
    expect(received.header.protectionAlg?.algorithm).toBe(c.protectionOid);
    expect(received.extraCerts?.map((x) => Buffer.from(x.der).toString('hex'))).toEqual(
      [certificate, ...chain].map((x) => Buffer.from(x).toString('hex')),
    );
    expect(Buffer.from(received.header.senderKID!).equals(Buffer.from(parseCertificate(certificate).subjectKeyIdentifier!))).toBe(true);
    const sender = await verifyProtection(received, { signature: { anchors: [pki(c.root)] } }, { crypto, at: PKI_TIME });
    expect(sender).toMatchObject({ type: 'signature', algorithm: c.algorithm });
    expect(sender.type === 'signature' && sender.path.length).toBe(2 + chain.length);

    // One flipped bit in the header (the last byte of senderNonce) breaks the signature.
    const bytes = encodePKIMessage(protectedMessage);
    const at = received.raw.body.byteOffset - received.raw.message.byteOffset - 1;
    bytes[at] = bytes[at]! ^ 0x01;
    await expect(
      verifyProtection(decodePKIMessage(bytes), { signature: { anchors: [pki(c.root)] } }, { crypto, at: PKI_TIME }),
    ).rejects.toMatchObject({ failInfo: ['badMessageCheck'] });
  });

  it('puts the signer and chain first in extraCerts, keeps the others after them, without duplicates', async () => {
    const certificate = pki('ee-chain');
    const privateKey = await importPrivateKey(pkiKey('ee-chain'), { crypto });
    const message = { ...unprotectedGenm(certificate), extraCerts: [{ der: pki('root-rsa') }, { der: pki('int-ec') }] };
    const out = await protect(message, { privateKey, certificate, chain: [pki('int-ec')] }, { crypto });
    expect(out.extraCerts?.map((c) => parseCertificate(c.der).subject)).toEqual(
      [pki('ee-chain'), pki('int-ec'), pki('root-rsa')].map((d) => parseCertificate(d).subject),
    );
  });

  it('refuses a MAC where a signature is required and vice versa (wrongIntegrity)', async () => {
    const mac = roundTrip(await protect(unprotectedGenm(), { secret: 's', senderKID: 'k' }, { crypto }));
    await expect(verifyProtection(mac, { signature: { anchors: [pki('root-ec')] } }, { crypto })).rejects.toMatchObject({
      failInfo: ['wrongIntegrity'],
    });
    const certificate = pki('ee-p256');
    const privateKey = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const signed = roundTrip(await protect(unprotectedGenm(certificate), { privateKey, certificate }, { crypto }));
    await expect(verifyProtection(signed, { mac: { secret: 's' } }, { crypto })).rejects.toMatchObject({
      failInfo: ['wrongIntegrity'],
    });
  });

  it('refuses an unprotected message and half-protected ones (badMessageCheck)', async () => {
    const plain = roundTrip(unprotectedGenm());
    await expect(verifyProtection(plain, { mac: { secret: 's' } }, { crypto })).rejects.toMatchObject({ failInfo: ['badMessageCheck'] });
    const mac = await protect(unprotectedGenm(), { secret: 's', senderKID: 'k' }, { crypto });
    const { protection: _p, ...noProtection } = mac;
    await expect(verifyProtection(roundTrip(noProtection), { mac: { secret: 's' } }, { crypto })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    const { protectionAlg: _a, ...header } = mac.header;
    await expect(verifyProtection(roundTrip({ ...mac, header }), { mac: { secret: 's' } }, { crypto })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
  });

  it('checks the MAC sender reference and looks secrets up by senderKID (a wrong or unknown one: badMessageCheck)', async () => {
    const received = roundTrip(await protect(unprotectedGenm(), { secret: 'secret-b', senderKID: 'b' }, { crypto }));
    await expect(verifyProtection(received, { mac: { secret: 'secret-b', senderKID: 'a' } }, { crypto })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    const secrets = new Map([
      ['a', 'secret-a'],
      ['b', 'secret-b'],
    ]);
    const lookup = (kid: Uint8Array | undefined) => (kid ? secrets.get(new TextDecoder().decode(kid)) : undefined);
    await expect(verifyProtection(received, { mac: { secret: lookup } }, { crypto })).resolves.toMatchObject({ type: 'mac' });
    // An unknown reference fails exactly like a wrong secret: same failInfo, same text.
    const unknown = roundTrip(await protect(unprotectedGenm(), { secret: 'x', senderKID: 'c' }, { crypto }));
    const unknownError = await verifyProtection(unknown, { mac: { secret: lookup } }, { crypto }).catch((e: unknown) => e);
    const wrong = roundTrip(await protect(unprotectedGenm(), { secret: 'not-secret-b', senderKID: 'b' }, { crypto }));
    const wrongError = await verifyProtection(wrong, { mac: { secret: lookup } }, { crypto }).catch((e: unknown) => e);
    expect(unknownError).toMatchObject({ failInfo: ['badMessageCheck'] });
    expect(wrongError).toMatchObject({ failInfo: ['badMessageCheck'] });
    expect((unknownError as Error).message).toBe((wrongError as Error).message);
  });

  it('checks sender and senderKID against the signer certificate (badMessageCheck; no certificate: signerNotTrusted)', async () => {
    const certificate = pki('ee-p256');
    const privateKey = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const trust = { signature: { anchors: [pki('root-ec')] } };
    const wrongSender = roundTrip(await protect(unprotectedGenm(pki('ee-p384')), { privateKey, certificate }, { crypto }));
    await expect(verifyProtection(wrongSender, trust, { crypto, at: PKI_TIME })).rejects.toMatchObject({ failInfo: ['badMessageCheck'] });
    const signed = await protect(unprotectedGenm(certificate), { privateKey, certificate }, { crypto });
    // Re-sign with a different senderKID: the signature is valid, the reference is not.
    const header = { ...signed.header, senderKID: Uint8Array.of(1, 2, 3) };
    const protection = (await import('../src/algorithms/ecdsa.js')).ecdsaSignatures.signature!(header.protectionAlg!)!.sign(
      crypto,
      privateKey,
      encodeProtectedPart({ header, body: signed.body }),
    );
    const wrongKid = roundTrip({ ...signed, header, protection: await protection });
    await expect(verifyProtection(wrongKid, trust, { crypto, at: PKI_TIME })).rejects.toMatchObject({ failInfo: ['badMessageCheck'] });
    // No certificate at all.
    const { extraCerts: _x, ...bare } = signed;
    await expect(verifyProtection(roundTrip(bare), trust, { crypto, at: PKI_TIME })).rejects.toMatchObject({
      failInfo: ['signerNotTrusted'],
    });
    // A configured signer certificate replaces extraCerts.
    await expect(
      verifyProtection(roundTrip(bare), { signature: { ...trust.signature, signerCertificate: certificate } }, { crypto, at: PKI_TIME }),
    ).resolves.toMatchObject({ type: 'signature' });
  });
});
