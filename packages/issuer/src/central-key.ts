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
 * that the injected WebCrypto can generate and that matches the algorithm the template's publicKey names, if
 * it names one.
 *
 * @throws RequestRejectedError badAlg when the profile allows no key the server can generate
 *   (or none of the requested algorithm).
 */
export async function generateCentralKey(profile: CertificateProfile, template: CertTemplate, crypto: Crypto): Promise<CentralKey> {
  const hint = template.publicKey;
  let keys: CryptoKeyPair | undefined;
  for (const spec of profile.keyAlgorithms) {
    const gen = keyGenParams(spec);
    if (!gen || (hint && !matchesAlgorithm(spec, hint))) continue;
    try {
      keys = (await crypto.subtle.generateKey(gen.params, true, gen.usages)) as CryptoKeyPair;
      break;
    } catch {
      // This WebCrypto cannot make such keys (e.g. ML-DSA without @cmpkit/pq-crypto): try the next one.
    }
  }
  if (!keys) {
    throw new RequestRejectedError('badAlg', `the server cannot generate a key of the requested algorithm for profile "${profile.name}"`);
  }
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { publicKey: decodeSubjectPublicKeyInfo(spki), privateKeyPkcs8: pkcs8 };
}
