import { sha1Digest, sha2Digests, shake256Digest } from '../algorithms/digests.js';
import { hmacSha1, hmacSha2 } from '../algorithms/hmac.js';
import { createAlgorithmRegistry, type AlgorithmRegistry } from '../algorithms/registry.js';
import type { AlgorithmOptions } from '../options.js';

/**
 * The digests and HMACs of `defaultAlgorithms`, in the same order, so MAC lookups answer the
 * same; without the signature algorithms, which a MAC-only application then does not bundle.
 */
const defaultMacAlgorithms: AlgorithmRegistry = /* @__PURE__ */ createAlgorithmRegistry([
  sha2Digests,
  sha1Digest,
  shake256Digest,
  hmacSha2,
  hmacSha1,
]);

/** The registry for MAC protection: the caller's, or the default digests and HMACs. */
export function macAlgorithmsOf(options: AlgorithmOptions | undefined): AlgorithmRegistry {
  return options?.algorithms ?? defaultMacAlgorithms;
}
