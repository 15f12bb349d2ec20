import { decodePKIMessage, encodePKIMessage, type CertReqMsg, type GeneralName, type CertRequest, type PKIMessage } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import { createPOPOSigningKey, importPrivateKey, parseCertificate, verifyPOP, type ImportPrivateKeyOptions } from '../../src/index.js';
import { fixture, pki, pkiKey, providers, supports, unprotectedGenm } from '../helpers.js';

function requestFor(name: string, withSubject = true): CertRequest {
  const parsed = parseCertificate(pki(name));
  return {
    certReqId: 0,
    certTemplate: withSubject
      ? { subject: parsed.subject, publicKey: parsed.subjectPublicKeyInfo }
      : { publicKey: parsed.subjectPublicKeyInfo },
  };
}

/** The CertReqMsg as a server receives it (decoded from an ir). */
function received(msg: CertReqMsg): CertReqMsg {
  const ir: PKIMessage = { header: unprotectedGenm().header, body: { type: 'ir', content: [msg] } };
  const decoded = decodePKIMessage(encodePKIMessage(ir));
  if (decoded.body.type !== 'ir') throw new Error('not an ir');
  return decoded.body.content[0]!;
}

const KEYS: [string, ImportPrivateKeyOptions, string][] = [
  ['ee-p256', {}, 'ecdsa-with-SHA256'],
  ['ee-p521', {}, 'ecdsa-with-SHA512'],
  ['ee-rsa', { hash: 'SHA-384' }, 'sha384WithRSAEncryption'],
  ['ee-rsa', { rsa: 'RSA-PSS' }, 'RSASSA-PSS'],
  ['ee-ed25519', {}, 'Ed25519'],
  ['ee-ed448', {}, 'Ed448'],
];

describe.each(providers)('proof of possession ($name)', ({ crypto }) => {
  it('verifies the POP OpenSSL 3.0 made in ir.der, over the received certReq bytes', async () => {
    const ir = decodePKIMessage(fixture('der/openssl-3.0/ir.der'));
    if (ir.body.type !== 'ir') throw new Error('not an ir');
    await expect(verifyPOP(ir.body.content[0]!, { crypto })).resolves.toEqual({ method: 'signature', algorithm: 'ecdsa-with-SHA256' });
  });

  it('fails for a tampered certReq (badPOP)', async () => {
    const der = fixture('der/openssl-3.0/ir.der').slice();
    const at = Buffer.from(der).indexOf(Buffer.from('device-0001.example.com'));
    expect(at).toBeGreaterThan(0);
    der[at] = 'D'.charCodeAt(0);
    const ir = decodePKIMessage(der);
    if (ir.body.type !== 'ir') throw new Error('not an ir');
    await expect(verifyPOP(ir.body.content[0]!, { crypto })).rejects.toMatchObject({ name: 'ProtectionError', failInfo: ['badPOP'] });
  });

  it.each(KEYS)('round trip: %s %j', async (name, keyOptions, algorithm) => {
    if (
      name === 'ee-ed448' &&
      !(await supports(crypto, { name: 'Ed448' })) &&
      !(await supports(crypto, { name: 'EdDSA', namedCurve: 'Ed448' } as EcKeyGenParams))
    )
      return;
    const privateKey = await importPrivateKey(pkiKey(name), { ...keyOptions, crypto });
    const certReq = requestFor(name);
    const value = await createPOPOSigningKey(certReq, privateKey, { crypto });
    expect(value.poposkInput).toBeUndefined();
    await expect(verifyPOP(received({ certReq, popo: { type: 'signature', value } }), { crypto })).resolves.toEqual({
      method: 'signature',
      algorithm,
    });
    // The same POP on a changed request does not verify.
    const changed = { ...certReq, certReqId: 1 };
    await expect(verifyPOP(received({ certReq: changed, popo: { type: 'signature', value } }), { crypto })).rejects.toMatchObject({
      failInfo: ['badPOP'],
    });
  });

  it('a POP made with another key fails (badPOP)', async () => {
    const privateKey = await importPrivateKey(pkiKey('ee-p384'), { crypto });
    const value = await createPOPOSigningKey(requestFor('ee-p384'), privateKey, { crypto });
    const foreign = { ...requestFor('ee-p256') };
    await expect(verifyPOP(received({ certReq: foreign, popo: { type: 'signature', value } }), { crypto })).rejects.toMatchObject({
      failInfo: expect.arrayContaining(['badPOP']),
    });
  });

  it('poposkInput with sender: checked against the authenticated sender', async () => {
    const privateKey = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const certReq = requestFor('ee-p256', false);
    await expect(createPOPOSigningKey(certReq, privateKey, { crypto })).rejects.toMatchObject({ failInfo: ['badPOP'] });
    const sender = { type: 'directoryName', value: parseCertificate(pki('ee-p256')).subject } as const;
    const value = await createPOPOSigningKey(certReq, privateKey, { crypto, poposkInput: { sender } });
    expect(value.poposkInput?.authInfo.type).toBe('sender');
    const msg = received({ certReq, popo: { type: 'signature', value } });
    await expect(verifyPOP(msg, { crypto, sender })).resolves.toMatchObject({ method: 'signature' });
    await expect(verifyPOP(msg, { crypto })).rejects.toMatchObject({ failInfo: ['badPOP'] });
    const other = { type: 'directoryName', value: parseCertificate(pki('ee-p384')).subject } as const;
    await expect(verifyPOP(msg, { crypto, sender: other })).rejects.toMatchObject({ failInfo: ['badPOP'] });
  });

  it('poposkInput with publicKeyMAC: checked with the shared secret', async () => {
    const privateKey = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const certReq = requestFor('ee-p256', false);
    for (const mac of [undefined, { algorithm: 'PasswordBasedMac', iterationCount: 100 } as const]) {
      const value = await createPOPOSigningKey(certReq, privateKey, {
        crypto,
        poposkInput: { publicKeyMAC: { secret: 'pop secret', ...(mac ? { mac } : {}) } },
      });
      const msg = received({ certReq, popo: { type: 'signature', value } });
      await expect(verifyPOP(msg, { crypto, publicKeyMACSecret: 'pop secret' })).resolves.toMatchObject({ method: 'signature' });
      await expect(verifyPOP(msg, { crypto, publicKeyMACSecret: 'wrong' })).rejects.toMatchObject({ failInfo: ['badPOP'] });
      await expect(verifyPOP(msg, { crypto })).rejects.toMatchObject({ failInfo: ['badPOP'] });
    }
  });

  it('poposkInput.publicKey must be the template publicKey', async () => {
    const privateKey = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const sender: GeneralName = { type: 'directoryName', value: [] };
    const value = await createPOPOSigningKey(requestFor('ee-p256', false), privateKey, { crypto, poposkInput: { sender } });
    const msg = received({ certReq: requestFor('ee-p384', false), popo: { type: 'signature', value } });
    await expect(verifyPOP(msg, { crypto, sender })).rejects.toThrow(/differs from the template/);
  });

  it('poposkInput must be absent when the template has a subject and a publicKey (RFC 4211 section 4.1)', async () => {
    const privateKey = await importPrivateKey(pkiKey('ee-p256'), { crypto });
    const sender: GeneralName = { type: 'directoryName', value: parseCertificate(pki('ee-p256')).subject };
    const value = await createPOPOSigningKey(requestFor('ee-p256', false), privateKey, { crypto, poposkInput: { sender } });
    const msg = received({ certReq: requestFor('ee-p256', true), popo: { type: 'signature', value } });
    await expect(verifyPOP(msg, { crypto, sender })).rejects.toMatchObject({ failInfo: ['badPOP'], message: /must be absent/ });
  });

  it('an RSA template key above 16384 bits is badCertTemplate, refused before any import', async () => {
    const modulus = new Uint8Array(2051);
    modulus[1] = 0x80;
    modulus[2050] = 0x01;
    const rsaKey = Uint8Array.of(0x30, 0x82, 0x08, 0x0b, 0x02, 0x82, 0x08, 0x03, ...modulus, 0x02, 0x03, 0x01, 0x00, 0x01);
    const certReq: CertRequest = {
      certReqId: 0,
      certTemplate: {
        subject: parseCertificate(pki('ee-p256')).subject,
        publicKey: {
          algorithm: { algorithm: '1.2.840.113549.1.1.1', parameters: { der: Uint8Array.of(0x05, 0x00) } },
          subjectPublicKey: rsaKey,
        },
      },
    };
    const msg = received({
      certReq,
      popo: { type: 'signature', value: { algorithmIdentifier: { algorithm: '1.2.840.113549.1.1.11' }, signature: new Uint8Array(64) } },
    });
    await expect(verifyPOP(msg, { crypto })).rejects.toMatchObject({ failInfo: ['badCertTemplate'], message: /16393 bits/ });
  });

  it('raVerified only with acceptRaVerified; a missing POP fails', async () => {
    const msg = received({ certReq: requestFor('ee-p256'), popo: { type: 'raVerified', value: null } });
    await expect(verifyPOP(msg, { crypto })).rejects.toMatchObject({ failInfo: ['badPOP'] });
    await expect(verifyPOP(msg, { crypto, acceptRaVerified: true })).resolves.toEqual({ method: 'raVerified' });
    await expect(verifyPOP(received({ certReq: requestFor('ee-p256') }), { crypto })).rejects.toMatchObject({ failInfo: ['badPOP'] });
    const keyEnc = received({
      certReq: requestFor('ee-p256'),
      popo: { type: 'keyEncipherment', value: { type: 'subsequentMessage', value: 0 } },
    });
    await expect(verifyPOP(keyEnc, { crypto })).rejects.toMatchObject({ failInfo: ['badPOP'] });
  });
});
