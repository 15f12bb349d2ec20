import { decodeAlgorithmIdentifier, decodePBKDF2Params, encodePBKDF2Params, type AlgorithmIdentifier } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { aesOfCbcOid, aesOfWrapOid, hashOfHmacOid, hmacOidOfHash, type AesVariant } from './algorithms.js';
import { cmsOids } from './cms-oids.js';
import type { PasswordRecipient } from './cms-recipient.js';
import {
  algorithmIdentifier,
  bytesOf,
  childrenOf,
  contentsOf,
  octetString,
  readElement,
  retag,
  smallInteger,
  TAG,
  tlv,
  type Element,
} from './der.js';
import { concat } from '../internal/bytes.js';
import type { PasswordKeyDeriver } from '../kdf/password-key-deriver.js';
import { bufferOf, guard, passwordBytes, randomBytes } from './webcrypto.js';

const DEFAULT_ITERATIONS = 100_000;
const DEFAULT_MAX_ITERATIONS = 10_000_000;
const BLOCK = 16;

/** CBC without padding, from WebCrypto's padded AES-CBC: drop the padding block. */
async function cbcEncryptRaw(crypto: Crypto, key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const out = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: bufferOf(iv) }, key, bufferOf(data)));
  return out.subarray(0, data.length);
}

/**
 * CBC decryption without padding: append the block that decrypts to a full padding block, so
 * WebCrypto's padding check passes and strips exactly that block.
 */
async function cbcDecryptRaw(crypto: Crypto, key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const last = data.subarray(data.length - BLOCK);
  const padding = await cbcEncryptRaw(crypto, key, last, new Uint8Array(BLOCK).fill(BLOCK));
  const out = await crypto.subtle.decrypt({ name: 'AES-CBC', iv: bufferOf(iv) }, key, bufferOf(concat(data, padding)));
  return new Uint8Array(out);
}

/**
 * RFC 3211 section 2.3.1 key wrap: length octet, 3 check octets (the complement of the key's
 * first three), the key, random padding to at least two blocks; encrypted twice with AES-CBC,
 * the second pass chained from the last block of the first.
 */
async function pwriKekWrap(crypto: Crypto, kek: CryptoKey, iv: Uint8Array, key: Uint8Array): Promise<Uint8Array> {
  const length = Math.max(2 * BLOCK, Math.ceil((4 + key.length) / BLOCK) * BLOCK);
  const block = randomBytes(crypto, length);
  block[0] = key.length;
  for (let i = 0; i < 3; i++) block[1 + i] = ~(key[i] as number) & 0xff;
  block.set(key, 4);
  const first = await cbcEncryptRaw(crypto, kek, iv, block);
  return cbcEncryptRaw(crypto, kek, first.subarray(first.length - BLOCK), first);
}

/** RFC 3211 section 2.3.2 key unwrap; undefined when the check octets or the length do not fit. */
async function pwriKekUnwrap(crypto: Crypto, kek: CryptoKey, iv: Uint8Array, wrapped: Uint8Array): Promise<Uint8Array | undefined> {
  if (wrapped.length < 2 * BLOCK || wrapped.length % BLOCK !== 0) return undefined;
  const n = wrapped.length;
  const lastInner = await cbcDecryptRaw(crypto, kek, wrapped.subarray(n - 2 * BLOCK, n - BLOCK), wrapped.subarray(n - BLOCK));
  const inner = await cbcDecryptRaw(crypto, kek, lastInner, wrapped);
  const block = await cbcDecryptRaw(crypto, kek, iv, inner);
  const keyLength = block[0] as number;
  if (keyLength < 3 || 4 + keyLength > block.length) return undefined;
  let check = 0;
  for (let i = 0; i < 3; i++) check |= (block[1 + i] as number) ^ (block[4 + i] as number) ^ 0xff;
  return check === 0 ? block.slice(4, 4 + keyLength) : undefined;
}

/**
 * PasswordRecipientInfo (RFC 5652 section 6.2.4, RFC 3211):
 *
 * ```asn1
 * PasswordRecipientInfo ::= SEQUENCE {
 *   version CMSVersion,   -- Always set to 0
 *   keyDerivationAlgorithm [0] KeyDerivationAlgorithmIdentifier OPTIONAL,
 *   keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *   encryptedKey EncryptedKey }
 * ```
 *
 * PBKDF2 (RFC 8018) with a fresh 16-byte salt derives the key-encryption key, which wraps the
 * content-encryption key with AES key wrap (RFC 3394) or, on request, id-alg-PWRI-KEK (RFC 3211).
 */
export async function buildPasswordRecipientInfo(
  crypto: Crypto,
  deriver: PasswordKeyDeriver,
  recipient: PasswordRecipient,
  contentKey: CryptoKey,
  rawContentKey: Uint8Array,
  variant: AesVariant,
): Promise<Uint8Array> {
  const iterationCount = recipient.iterationCount ?? DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(iterationCount) || iterationCount < 1) {
    throw new ProtectionError('badDataFormat', 'PBKDF2 iterationCount must be a positive integer');
  }
  const prf = recipient.prf ?? 'SHA-256';
  const salt = randomBytes(crypto, 16);
  const kdf = retag(
    algorithmIdentifier(
      cmsOids.id_PBKDF2,
      encodePBKDF2Params({
        salt: { type: 'specified', value: salt },
        iterationCount,
        ...(prf === 'SHA-1'
          ? {}
          : {
              prf: {
                algorithm: hmacOidOfHash(prf),
                parameters: { der: Uint8Array.of(TAG.NULL, 0) },
              },
            }),
      }),
    ),
    0xa0,
  );
  const password = passwordBytes(recipient.password);
  const { keyEncryptionAlgorithm, encryptedKey } = await guard(
    async () => {
      const kekBytes = await deriver.derive({
        algorithm: 'PBKDF2',
        prf,
        secret: password,
        salt,
        iterationCount,
        keyLength: variant.keyLength,
      });
      if ((recipient.keyWrap ?? 'aes-wrap') === 'aes-wrap') {
        const kek = await crypto.subtle.importKey('raw', bufferOf(kekBytes), { name: 'AES-KW' }, false, ['wrapKey']);
        return {
          keyEncryptionAlgorithm: algorithmIdentifier(variant.wrap),
          encryptedKey: new Uint8Array(await crypto.subtle.wrapKey('raw', contentKey, kek, 'AES-KW')),
        };
      }
      const iv = randomBytes(crypto, BLOCK);
      const kek = await crypto.subtle.importKey('raw', bufferOf(kekBytes), { name: 'AES-CBC' }, false, ['encrypt']);
      return {
        keyEncryptionAlgorithm: algorithmIdentifier(cmsOids.id_alg_PWRI_KEK, algorithmIdentifier(variant.cbc, octetString(iv))),
        encryptedKey: await pwriKekWrap(crypto, kek, iv, rawContentKey),
      };
    },
    'badAlg',
    'password-based key wrapping failed',
  );
  return tlv(0xa3, smallInteger(0), kdf, keyEncryptionAlgorithm, octetString(encryptedKey));
}

/** A received PasswordRecipientInfo. */
export interface PasswordRecipientInfo {
  keyDerivationAlgorithm?: AlgorithmIdentifier;
  keyEncryptionAlgorithm: AlgorithmIdentifier;
  encryptedKey: Uint8Array;
}

/**
 * Reads the contents of a `[3] PasswordRecipientInfo` element. `keyDerivationAlgorithm` is
 * `[0] IMPLICIT` in RFC 5652's module; an EXPLICIT encoding (as some schema libraries write it)
 * is accepted too.
 */
export function readPasswordRecipientInfo(bytes: Uint8Array, element: Element): PasswordRecipientInfo {
  const what = 'PasswordRecipientInfo';
  const parts = childrenOf(bytes, element, what);
  let at = 1;
  let keyDerivationAlgorithm: AlgorithmIdentifier | undefined;
  const kdf = parts[at];
  if (kdf?.tag === 0xa0) {
    const inner = childrenOf(bytes, kdf, what);
    const explicit = inner.length === 1 && inner[0]?.tag === TAG.SEQUENCE;
    keyDerivationAlgorithm = decodeAlgorithmIdentifier(
      explicit && inner[0] ? bytesOf(bytes, inner[0]) : retag(bytesOf(bytes, kdf), TAG.SEQUENCE),
    );
    at++;
  }
  const kea = parts[at];
  const key = parts[at + 1];
  if (
    parts[0]?.tag !== TAG.INTEGER ||
    !kea ||
    kea.tag !== TAG.SEQUENCE ||
    !key ||
    key.tag !== TAG.OCTET_STRING ||
    parts.length !== at + 2
  ) {
    throw new ProtectionError('badDataFormat', 'malformed PasswordRecipientInfo');
  }
  return {
    ...(keyDerivationAlgorithm ? { keyDerivationAlgorithm } : {}),
    keyEncryptionAlgorithm: decodeAlgorithmIdentifier(bytesOf(bytes, kea)),
    encryptedKey: contentsOf(bytes, key),
  };
}

/** Recovers the content-encryption key from a PasswordRecipientInfo; undefined for a wrong password. */
export async function openPasswordRecipientInfo(
  crypto: Crypto,
  deriver: PasswordKeyDeriver,
  pwri: PasswordRecipientInfo,
  password: Uint8Array | string,
  maxIterationCount: number = DEFAULT_MAX_ITERATIONS,
): Promise<Uint8Array | undefined> {
  const kdf = pwri.keyDerivationAlgorithm;
  if (!kdf) throw new ProtectionError('badAlg', 'PasswordRecipientInfo without keyDerivationAlgorithm is not supported');
  if (kdf.algorithm !== cmsOids.id_PBKDF2) throw new ProtectionError('badAlg', `unsupported key derivation ${kdf.algorithm}`);
  if (!kdf.parameters) throw new ProtectionError('badDataFormat', 'PBKDF2 parameters are missing');
  const params = decodePBKDF2Params(kdf.parameters.der);
  if (params.salt.type !== 'specified') throw new ProtectionError('badAlg', 'PBKDF2 salt must be specified');
  if (params.iterationCount > maxIterationCount) {
    throw new ProtectionError('badAlg', `PBKDF2 iterationCount ${params.iterationCount} exceeds the limit ${maxIterationCount}`);
  }
  const prf = params.prf ? hashOfHmacOid(params.prf.algorithm) : 'SHA-1';

  const kea = pwri.keyEncryptionAlgorithm;
  let variant = aesOfWrapOid(kea.algorithm);
  let pwriIv: Uint8Array | undefined;
  if (!variant && kea.algorithm === cmsOids.id_alg_PWRI_KEK) {
    if (!kea.parameters) throw new ProtectionError('badDataFormat', 'id-alg-PWRI-KEK parameters are missing');
    const inner = decodeAlgorithmIdentifier(kea.parameters.der);
    variant = aesOfCbcOid(inner.algorithm);
    if (!variant) throw new ProtectionError('badAlg', `unsupported id-alg-PWRI-KEK cipher ${inner.algorithm}`);
    const ivDer = inner.parameters?.der;
    const ivElement = ivDer ? readElement(ivDer, 0, 'PWRI-KEK IV') : undefined;
    if (!ivDer || !ivElement || ivElement.tag !== TAG.OCTET_STRING || ivElement.contentEnd - ivElement.contentStart !== BLOCK) {
      throw new ProtectionError('badDataFormat', 'id-alg-PWRI-KEK needs a 16-byte IV');
    }
    pwriIv = contentsOf(ivDer, ivElement);
  }
  if (!variant) throw new ProtectionError('badAlg', `unsupported key-encryption algorithm ${kea.algorithm}`);
  if (params.keyLength !== undefined && params.keyLength !== variant.keyLength) {
    throw new ProtectionError('badAlg', 'PBKDF2 keyLength does not fit the key-encryption algorithm');
  }
  const kekVariant = variant;
  const salt = params.salt.value;
  const kekBytes = await guard(
    () =>
      deriver.derive({
        algorithm: 'PBKDF2',
        prf,
        secret: passwordBytes(password),
        salt,
        iterationCount: params.iterationCount,
        keyLength: kekVariant.keyLength,
      }),
    'badAlg',
    'PBKDF2 failed',
  );
  const wrapped = pwri.encryptedKey;
  try {
    if (pwriIv) {
      const kek = await crypto.subtle.importKey('raw', bufferOf(kekBytes), { name: 'AES-CBC' }, false, ['encrypt', 'decrypt']);
      return await pwriKekUnwrap(crypto, kek, pwriIv, wrapped);
    }
    const kek = await crypto.subtle.importKey('raw', bufferOf(kekBytes), { name: 'AES-KW' }, false, ['unwrapKey']);
    const key = await crypto.subtle.unwrapKey('raw', bufferOf(wrapped), kek, 'AES-KW', { name: 'AES-CBC' }, true, ['decrypt']);
    return new Uint8Array(await crypto.subtle.exportKey('raw', key));
  } catch {
    return undefined;
  }
}
