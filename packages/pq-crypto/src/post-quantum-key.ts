import type { Scheme } from './algorithms.js';

/** The key bytes behind a {@link PostQuantumKey}. */
export interface KeyMaterial {
  readonly scheme: Scheme;
  readonly publicKey: Uint8Array;
  /** Private keys only: the expanded key of FIPS 203/204. */
  readonly expandedKey?: Uint8Array;
  /** Private keys only, when known: the seed the key was generated from. */
  readonly seed?: Uint8Array;
}

/**
 * A CryptoKey of the pure-JS implementation. It has the shape of a WebCrypto CryptoKey (`type`,
 * `extractable`, `algorithm`, `usages`) and keeps its bytes in a private field that only this
 * package reads, so an unextractable key cannot be exported through it.
 */
export class PostQuantumKey implements CryptoKey {
  readonly type: KeyType;
  readonly extractable: boolean;
  readonly algorithm: KeyAlgorithm;
  readonly usages: KeyUsage[];
  readonly #material: KeyMaterial;

  constructor(type: 'public' | 'private', material: KeyMaterial, extractable: boolean, usages: readonly KeyUsage[]) {
    this.type = type;
    this.extractable = extractable;
    this.algorithm = Object.freeze({ name: material.scheme.name });
    this.usages = [...usages];
    this.#material = material;
  }

  get [Symbol.toStringTag](): string {
    return 'CryptoKey';
  }

  /** The material of a key made by this package, or undefined for any other object. */
  static materialOf(key: unknown): KeyMaterial | undefined {
    return typeof key === 'object' && key !== null && #material in key ? (key as PostQuantumKey).#material : undefined;
  }
}
