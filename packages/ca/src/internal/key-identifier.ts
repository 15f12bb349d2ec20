import type { KeyIdentifierMethod } from '../key-identifier-method.js';
import { bufferSource } from './der.js';

/** The key identifier of `subjectPublicKey` (the octets of the BIT STRING). */
export async function keyIdentifier(crypto: Crypto, subjectPublicKey: Uint8Array, method: KeyIdentifierMethod): Promise<Uint8Array> {
  const digest = await crypto.subtle.digest(method === 'sha1' ? 'SHA-1' : 'SHA-256', bufferSource(subjectPublicKey));
  return new Uint8Array(digest).slice(0, 20);
}
