import { sha1Digest, sha2Digests, shake256Digest } from './digests.js';
import { ecdsaSignatures } from './ecdsa.js';
import { eddsaSignatures } from './eddsa.js';
import { hmacSha1, hmacSha2 } from './hmac.js';
import { mlDsaSignatures } from './ml-dsa.js';
import { createAlgorithmRegistry, type AlgorithmRegistry } from './registry.js';
import { rsaPkcs1Signatures } from './rsa-pkcs1.js';
import { rsaPssSignatures } from './rsa-pss.js';
import type { AlgorithmProvider } from './types.js';

/**
 * The built-in providers, in lookup order: SHA-2, SHA-1 and SHAKE256 digests; HMAC-SHA2 and
 * HMAC-SHA1 (both OIDs); RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA, Ed25519/Ed448 and ML-DSA-44/65/87 signatures
 * (ML-DSA where the injected WebCrypto offers it). SHA-1
 * signatures resolve but are refused unless `allowSha1` is set; PBMAC1 refuses SHA-1 itself.
 */
export const defaultAlgorithmProviders: readonly AlgorithmProvider[] = Object.freeze([
  sha2Digests,
  sha1Digest,
  shake256Digest,
  hmacSha2,
  hmacSha1,
  rsaPkcs1Signatures,
  rsaPssSignatures,
  ecdsaSignatures,
  eddsaSignatures,
  mlDsaSignatures,
]);

/** The registry of {@link defaultAlgorithmProviders}; used when no `algorithms` option is given. */
export const defaultAlgorithms: AlgorithmRegistry = createAlgorithmRegistry(defaultAlgorithmProviders);
