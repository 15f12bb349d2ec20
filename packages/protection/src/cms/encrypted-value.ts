import type { EncryptedValue } from '@cmpkit/codec';
import { cryptoOf, type CryptoOptions } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import type { CmsDecryptionKey } from './cms-recipient.js';
import { contentAlgorithmOf, decryptContent, importContentKey } from './content-encryption.js';
import { decryptWithOaep } from './key-transport.js';

/**
 * Decrypts the deprecated EncryptedValue (RFC 4211 section 4.2.1; RFC 9810 section 5.2.2 keeps it
 * for backward compatibility) that older peers send instead of EnvelopedData:
 *
 * ```asn1
 * EncryptedValue ::= SEQUENCE {
 *   intendedAlg   [0] AlgorithmIdentifier  OPTIONAL,
 *   symmAlg       [1] AlgorithmIdentifier  OPTIONAL,
 *   encSymmKey    [2] BIT STRING           OPTIONAL,
 *   keyAlg        [3] AlgorithmIdentifier  OPTIONAL,
 *   valueHint     [4] OCTET STRING         OPTIONAL,
 *   encValue      BIT STRING }
 * ```
 *
 * `encSymmKey` must be RSAES-OAEP under the end entity's RSA key (`keyAlg` id-RSAES-OAEP):
 * RSAES-PKCS1-v1_5 (`rsaEncryption`) is not offered by WebCrypto and fails with badAlg.
 * `symmAlg` must be AES-CBC. Returns the plaintext (no signature protects it).
 */
export async function decryptEncryptedValue(
  value: EncryptedValue,
  options: CryptoOptions & { key: CmsDecryptionKey },
): Promise<Uint8Array> {
  const crypto = cryptoOf(options);
  const { key } = options;
  if (!('privateKey' in key)) throw new ProtectionError('badAlg', 'EncryptedValue cannot be opened with a password');
  if (!value.symmAlg || !value.encSymmKey || !value.keyAlg) {
    throw new ProtectionError('badAlg', 'EncryptedValue without symmAlg, encSymmKey and keyAlg is not supported');
  }
  const algorithm = contentAlgorithmOf(value.symmAlg);
  const raw = await decryptWithOaep(crypto, value.keyAlg, key.privateKey, value.encSymmKey);
  const contentKey = await importContentKey(crypto, algorithm, raw);
  return decryptContent(crypto, algorithm, contentKey, value.encValue);
}
