import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSubjectPublicKeyInfo, parseName } from '@cmpkit/codec';
import { createCertificateAuthority, createSelfSignedCa, profiles } from '@cmpkit/ca';
import { withPostQuantum } from '@cmpkit/pq-crypto';
import { describe, expect, it } from 'vitest';
import {
  createEnvelopedData,
  createPopChallenge,
  decryptPopChallenge,
  encryptCertificate,
  envelopePrivateKey,
  openEncryptedCertificate,
  openEnvelopedData,
  openEnvelopedPrivateKey,
} from '../../src/index.js';

const crypto = withPostQuantum(globalThis.crypto, { implementation: 'pure-js' });
const KEM_USAGES = ['encapsulateBits', 'decapsulateBits'] as never;

async function kemEndEntity(name: string) {
  const root = await createSelfSignedCa({ subject: '/CN=PQ Root', keyAlgorithm: { name: 'ML-DSA-44' }, crypto });
  const ca = createCertificateAuthority({ ...root, crypto });
  const keys = (await crypto.subtle.generateKey(name as never, true, KEM_USAGES)) as CryptoKeyPair;
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey)));
  const { certificate } = await ca.issue({ template: { subject: parseName('/CN=kem-device'), publicKey }, profile: profiles.pqDevice });
  return { root, keys, certificate };
}

describe('KEMRecipientInfo (RFC 9629) with ML-KEM', async () => {
  const ee = await kemEndEntity('ML-KEM-768');

  it.each(['ML-KEM-512', 'ML-KEM-768', 'ML-KEM-1024'])(
    '%s: envelopes content for the certificate and opens it with the private key',
    async (name) => {
      const { keys, certificate } = name === 'ML-KEM-768' ? ee : await kemEndEntity(name);
      const content = new TextEncoder().encode('the content');
      const der = await createEnvelopedData(content, { crypto, recipient: { type: 'kemri', certificate } });
      expect(der[4]).toBe(0x02); // EnvelopedData version ...
      expect(der[6]).toBe(3); // ... 3, because an ori is present (RFC 5652 6.1)
      const opened = await openEnvelopedData(der, { crypto, key: { privateKey: keys.privateKey, certificate } });
      expect(opened.content).toEqual(content);
      const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
      expect((await openEnvelopedData(der, { crypto, key: { privateKey: pkcs8 } })).content).toEqual(content);
    },
  );

  it('is well-formed DER for an independent parser (openssl asn1parse)', async (context) => {
    if (spawnSync('openssl', ['version']).status !== 0) context.skip('SKIPPED: the openssl binary is not on the PATH');
    const der = await createEnvelopedData(Uint8Array.of(1, 2, 3), {
      crypto,
      recipient: { type: 'kemri', certificate: ee.certificate, ukm: Uint8Array.of(7) },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'cmpkit-kemri-')), 'env.der');
    writeFileSync(file, der);
    const parsed = spawnSync('openssl', ['asn1parse', '-inform', 'DER', '-in', file], { encoding: 'utf8' });
    expect(parsed.status).toBe(0);
    expect(parsed.stdout).toContain(':1.2.840.113549.1.9.16.13.3'); // id-ori-kem
    expect(parsed.stdout).toContain(':1.2.840.113549.1.9.16.3.28'); // id-alg-hkdf-with-sha256
    expect(parsed.stdout).toContain('id-aes256-wrap');
  });

  it('refuses another ML-KEM key and a tampered encryptedKey with badMessageCheck', async () => {
    const der = await createEnvelopedData(Uint8Array.of(1), { crypto, recipient: { type: 'kemri', certificate: ee.certificate } });
    const other = (await crypto.subtle.generateKey('ML-KEM-768' as never, true, KEM_USAGES)) as CryptoKeyPair;
    await expect(openEnvelopedData(der, { crypto, key: { privateKey: other.privateKey } })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    const tampered = der.slice();
    // encryptedKey: OCTET STRING of 40 bytes (AES-256 key wrap of a 32-byte key), followed by the EncryptedContentInfo.
    const at = tampered.findIndex((b, i) => b === 0x04 && tampered[i + 1] === 0x28 && tampered[i + 42] === 0x30);
    expect(at).toBeGreaterThan(0);
    tampered[at + 10]! ^= 1;
    await expect(openEnvelopedData(tampered, { crypto, key: { privateKey: ee.keys.privateKey } })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
  });

  it('carries an encrypted certificate (indirect POP), a centrally generated key and a POP challenge', async () => {
    const encrypted = await encryptCertificate(ee.certificate, { crypto, recipient: { type: 'kemri', certificate: ee.certificate } });
    expect(await openEncryptedCertificate(encrypted, { crypto, key: { privateKey: ee.keys.privateKey } })).toEqual(ee.certificate);

    const newKey = (await crypto.subtle.generateKey('ML-DSA-44' as never, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', newKey.privateKey));
    const signer = { privateKey: ee.root.privateKey, certificate: ee.root.certificate };
    const enveloped = await envelopePrivateKey(pkcs8, { crypto, signer, recipient: { type: 'kemri', certificate: ee.certificate } });
    const opened = await openEnvelopedPrivateKey(enveloped, { crypto, key: { privateKey: ee.keys.privateKey } });
    expect(opened.privateKeyPkcs8).toEqual(pkcs8);

    const rand = { int: 123456789n, sender: { type: 'directoryName' as const, value: parseName('/CN=PQ CA') } };
    const challenge = await createPopChallenge(rand, { crypto, recipient: { type: 'kemri', certificate: ee.certificate } });
    expect((await decryptPopChallenge(challenge, { crypto, key: { privateKey: ee.keys.privateKey } })).int).toBe(123456789n);
  });
});
