/**
 * @packageDocumentation
 * `@cmpkit/pq-crypto`: ML-DSA (FIPS 204) and ML-KEM (FIPS 203) for any WebCrypto `Crypto`, in
 * the API of the WICG Modern Algorithms draft, so that every cmpkit package (which takes a
 * `crypto` option) signs, verifies, encapsulates and decapsulates with them. The runtime's own
 * implementation is used where it has one; `@noble/post-quantum` where not.
 *
 * @example
 * ```ts
 * import { withPostQuantum } from '@cmpkit/pq-crypto';
 * const crypto = withPostQuantum(globalThis.crypto);
 * const keys = await crypto.subtle.generateKey('ML-KEM-768', true, ['encapsulateBits', 'decapsulateBits']);
 * ```
 */
export { withPostQuantum, nativePostQuantumAlgorithms } from './with-post-quantum.js';
export type { KemSubtleCrypto, PostQuantumInit } from './with-post-quantum.js';
export { postQuantumAlgorithms } from './algorithms.js';
export type { MlDsaName, MlKemName, PostQuantumAlgorithmName, PostQuantumLengths } from './algorithms.js';
