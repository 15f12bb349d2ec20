import { constants, type SignPrivateKeyInput, type VerifyPublicKeyInput } from 'node:crypto';
import { nodeHashName } from './hash-names.js';

/** How node:crypto computes one WebCrypto signature operation. */
export interface SignaturePlan {
  /** The digest for `crypto.sign`/`crypto.verify`, null for EdDSA. */
  readonly digest: string | null;
  /** Key options besides the key itself (encoding, padding, salt length). */
  readonly options: Omit<SignPrivateKeyInput & VerifyPublicKeyInput, 'key'>;
}

/**
 * The node:crypto equivalent of WebCrypto `sign`/`verify` with `algorithm` and `key`, or undefined
 * when this package leaves the operation to WebCrypto: an algorithm it does not handle, a key of
 * another algorithm or without the usage (WebCrypto then throws its own error), or an RSA private
 * key operation (milliseconds each: left on WebCrypto's thread pool so the event loop keeps
 * turning).
 */
export function signaturePlan(
  algorithm: AlgorithmIdentifier | RsaPssParams | EcdsaParams,
  key: CryptoKey,
  usage: 'sign' | 'verify',
): SignaturePlan | undefined {
  const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
  if (typeof name !== 'string' || name.toUpperCase() !== key.algorithm.name.toUpperCase() || !key.usages.includes(usage)) return undefined;
  if (key.type !== (usage === 'sign' ? 'private' : 'public')) return undefined;
  switch (key.algorithm.name) {
    case 'ECDSA': {
      const digest = nodeHashName((algorithm as EcdsaParams).hash);
      return digest ? { digest, options: { dsaEncoding: 'ieee-p1363' } } : undefined;
    }
    case 'Ed25519':
    case 'Ed448':
      return typeof algorithm === 'string' || !('context' in algorithm) ? { digest: null, options: {} } : undefined;
    case 'RSASSA-PKCS1-v1_5': {
      const digest = nodeHashName((key.algorithm as RsaHashedKeyAlgorithm).hash);
      return digest && usage === 'verify' ? { digest, options: { padding: constants.RSA_PKCS1_PADDING } } : undefined;
    }
    case 'RSA-PSS': {
      const digest = nodeHashName((key.algorithm as RsaHashedKeyAlgorithm).hash);
      const saltLength = (algorithm as RsaPssParams).saltLength;
      if (!digest || usage !== 'verify' || !Number.isInteger(saltLength) || saltLength < 0) return undefined;
      return { digest, options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength } };
    }
    default:
      return undefined;
  }
}
