import { describe, expect, it } from 'vitest';
import { oids, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { RequestRejectedError } from '@cmpkit/core';
import { defineProfile } from '@cmpkit/ca';
import { generateCentralKey } from '@cmpkit/issuer';
import { oidDer } from '../src/pki/oid-der.js';
import { issuerSetup } from './support/issuer-setup.js';
import { certRequest, parseCertificate } from './support/requests.js';

describe('central key generation', () => {
  it('certify generates a key of the profile first algorithm and certifies it', async () => {
    const { issuer } = await issuerSetup();
    const result = await issuer.certify({ ...certRequest(undefined), centralKeyGeneration: true });
    if (result.status !== 'issued') throw new Error('not issued');
    expect(result.privateKeyPkcs8).toBeInstanceOf(Uint8Array);
    const privateKey = await crypto.subtle.importKey(
      'pkcs8',
      new Uint8Array(result.privateKeyPkcs8!),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    const spki = new Uint8Array(parseCertificate(result.certificate).tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
    const data = new TextEncoder().encode('proof');
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data);
    const publicKey = await crypto.subtle.importKey('raw', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, data)).toBe(true);
  });

  it('follows the algorithm named by the template publicKey', async () => {
    const profile = defineProfile({ name: 'p', keyAlgorithms: ['ec:P-256', 'ed25519'] });
    const hint: SubjectPublicKeyInfo = { algorithm: { algorithm: oids.id_Ed25519 }, subjectPublicKey: new Uint8Array(0) };
    const key = await generateCentralKey(profile, { publicKey: hint }, crypto);
    expect(key.publicKey.algorithm.algorithm).toBe(oids.id_Ed25519);
    const curveHint: SubjectPublicKeyInfo = {
      algorithm: { algorithm: oids.id_ecPublicKey, parameters: { der: oidDer(oids.secp256r1) } },
      subjectPublicKey: new Uint8Array(0),
    };
    const ec = await generateCentralKey(profile, { publicKey: curveHint }, crypto);
    expect(ec.publicKey.algorithm).toEqual(curveHint.algorithm);
    expect(ec.publicKey.subjectPublicKey).toHaveLength(65);
  });

  it('skips algorithms WebCrypto cannot generate, and refuses with badAlg when none is left', async () => {
    const mlOnly = defineProfile({ name: 'pq', keyAlgorithms: ['ml-dsa-44'] });
    const error = await generateCentralKey(mlOnly, {}, crypto).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestRejectedError);
    expect((error as RequestRejectedError).failInfo).toEqual(['badAlg']);
    const mixed = defineProfile({ name: 'mixed', keyAlgorithms: ['ml-dsa-44', 'rsa-pss:2048+', 'ec:P-384'] });
    const key = await generateCentralKey(mixed, {}, crypto);
    expect(key.publicKey.algorithm).toEqual({ algorithm: oids.id_ecPublicKey, parameters: { der: oidDer(oids.secp384r1) } });
  });
});
