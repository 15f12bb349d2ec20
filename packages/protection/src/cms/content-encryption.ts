import type { AlgorithmIdentifier } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { aesOfCbcOid, aesVariant, type AesVariant, type ContentEncryptionAlgorithm } from './algorithms.js';
import { algorithmIdentifier, contentsOf, octetString, readElement, TAG } from './der.js';
import { bufferOf, guard, randomBytes } from './webcrypto.js';

/** A fresh content-encryption key and the content encrypted under it. */
export interface EncryptedContent {
  variant: AesVariant;
  /** The content-encryption key (extractable, so key wrap and key transport can carry it). */
  key: CryptoKey;
  /** The raw key bytes, for RSA-OAEP and RFC 3211 wrapping. */
  raw: Uint8Array;
  /** ContentEncryptionAlgorithmIdentifier, DER. */
  algorithm: Uint8Array;
  ciphertext: Uint8Array;
}

/** Encrypts `content` with AES-CBC under a new random key and IV (RFC 3565). */
export async function encryptContent(
  crypto: Crypto,
  algorithm: ContentEncryptionAlgorithm,
  content: Uint8Array,
): Promise<EncryptedContent> {
  const variant = aesVariant(algorithm);
  const raw = randomBytes(crypto, variant.keyLength);
  const iv = randomBytes(crypto, 16);
  return guard(
    async () => {
      const key = await crypto.subtle.importKey('raw', bufferOf(raw), { name: 'AES-CBC' }, true, ['encrypt']);
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: bufferOf(iv) }, key, bufferOf(content)));
      return {
        variant,
        key,
        raw,
        algorithm: algorithmIdentifier(variant.cbc, octetString(iv)),
        ciphertext,
      };
    },
    'badAlg',
    `${algorithm} is not available`,
  );
}

/** The AES variant and IV of a received ContentEncryptionAlgorithmIdentifier. */
export interface ContentAlgorithm {
  variant: AesVariant;
  iv: Uint8Array;
}

export function contentAlgorithmOf(algorithm: AlgorithmIdentifier): ContentAlgorithm {
  const variant = aesOfCbcOid(algorithm.algorithm);
  if (!variant) {
    throw new ProtectionError('badAlg', `unsupported content-encryption algorithm ${algorithm.algorithm}`);
  }
  const params = algorithm.parameters?.der;
  if (!params) throw new ProtectionError('badDataFormat', 'AES-CBC parameters (the IV) are missing');
  const iv = readElement(params, 0, 'AES-CBC IV');
  if (iv.tag !== TAG.OCTET_STRING || iv.end !== params.length || iv.contentEnd - iv.contentStart !== 16) {
    throw new ProtectionError('badDataFormat', 'AES-CBC parameters must be a 16-byte IV');
  }
  return { variant, iv: contentsOf(params, iv) };
}

/** Imports a recovered content-encryption key; a wrong length means a wrong key. */
export async function importContentKey(crypto: Crypto, algorithm: ContentAlgorithm, raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== algorithm.variant.keyLength) {
    throw new ProtectionError('badMessageCheck', 'the recovered content-encryption key has the wrong length');
  }
  return guard(
    () => crypto.subtle.importKey('raw', bufferOf(raw), { name: 'AES-CBC' }, false, ['decrypt']),
    'badAlg',
    `AES-${algorithm.variant.keyLength * 8}-CBC is not available`,
  );
}

/** Decrypts AES-CBC content; a padding failure is a wrong key or tampering (badMessageCheck). */
export async function decryptContent(
  crypto: Crypto,
  algorithm: ContentAlgorithm,
  key: CryptoKey,
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  return guard(
    async () => new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: bufferOf(algorithm.iv) }, key, bufferOf(ciphertext))),
    'badMessageCheck',
    'content decryption failed (wrong key or tampered content)',
  );
}
