import type { CertificateProfile } from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, type CertTemplate, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { RequestRejectedError } from '@cmpkit/core';
import { keyGenParams, matchesAlgorithm } from './pki/key-algorithms.js';

/** A key pair the server generated for a requester (RFC 9483 section 4.1.6). */
export interface CentralKey {
  publicKey: SubjectPublicKeyInfo;
  /** PKCS#8; the engine envelopes it for the requester. */
  privateKeyPkcs8: Uint8Array;
}

/**
 * Generates the key for a central-key-generation request: of the first algorithm of the profile
 * that WebCrypto can generate and that matches the algorithm the template's publicKey names, if
 * it names one.
 *
 * @throws RequestRejectedError badAlg when the profile allows no key the server can generate
 *   (or none of the requested algorithm).
 */
export async function generateCentralKey(profile: CertificateProfile, template: CertTemplate, crypto: Crypto): Promise<CentralKey> {
  const hint = template.publicKey;
  const spec = profile.keyAlgorithms.find((a) => keyGenParams(a) !== undefined && (!hint || matchesAlgorithm(a, hint)));
  const gen = spec === undefined ? undefined : keyGenParams(spec);
  if (!gen) {
    throw new RequestRejectedError('badAlg', `the server cannot generate a key of the requested algorithm for profile "${profile.name}"`);
  }
  const keys = (await crypto.subtle.generateKey(gen.params, true, gen.usages)) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { publicKey: decodeSubjectPublicKeyInfo(spki), privateKeyPkcs8: pkcs8 };
}
