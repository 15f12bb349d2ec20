import { schemeOf, schemes, type PostQuantumAlgorithmName, type Scheme } from './algorithms.js';
import { checkPublicKey, decodePkcs8, decodeSpki, encodePkcs8, encodeSpki, fromSeed } from './key-formats.js';
import { invalidAccess, notSupported, operationError, syntaxError } from './internal/errors.js';
import { PostQuantumKey, type KeyMaterial } from './post-quantum-key.js';

/** Options of {@link withPostQuantum}. */
export interface PostQuantumInit {
  /**
   * `'auto'` (default): per algorithm, the base Crypto's own implementation when it has one
   * (Node 24.7 and later, browsers that ship the WICG Modern Algorithms), else the pure-JS one.
   * `'pure-js'`: always `@noble/post-quantum`, whatever the base offers.
   */
  implementation?: 'auto' | 'pure-js';
}

/** `SubtleCrypto` as the WICG Modern Algorithms draft extends it (key encapsulation). */
export interface KemSubtleCrypto {
  encapsulateBits(
    algorithm: AlgorithmIdentifier,
    encapsulationKey: CryptoKey,
  ): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }>;
  decapsulateBits(algorithm: AlgorithmIdentifier, decapsulationKey: CryptoKey, ciphertext: BufferSource): Promise<ArrayBuffer>;
}

type KeyPairUsages = { public: readonly KeyUsage[]; private: readonly KeyUsage[] };

const SIGNATURE_USAGES: KeyPairUsages = { public: ['verify'], private: ['sign'] };
const KEM_USAGES: KeyPairUsages = {
  public: ['encapsulateKey', 'encapsulateBits'] as unknown as KeyUsage[],
  private: ['decapsulateKey', 'decapsulateBits'] as unknown as KeyUsage[],
};

function usagesOf(scheme: Scheme): KeyPairUsages {
  return scheme.kind === 'signature' ? SIGNATURE_USAGES : KEM_USAGES;
}

function bytesOf(data: BufferSource): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  throw new TypeError('pq-crypto: expected a BufferSource');
}

function bufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

function checkUsages(requested: readonly KeyUsage[], allowed: readonly KeyUsage[], requireSome: boolean): KeyUsage[] {
  for (const usage of requested) if (!allowed.includes(usage)) throw syntaxError(`usage ${usage} is not allowed for this key`);
  if (requireSome && requested.length === 0) throw syntaxError('a private key needs at least one usage');
  return [...new Set(requested)];
}

function requireUsage(key: CryptoKey, usage: string, scheme: Scheme, algorithm: unknown): void {
  const named = schemeOf(algorithm);
  if (named !== scheme) throw invalidAccess(`the key is an ${scheme.name} key, not ${named?.name ?? String(algorithm)}`);
  if (!key.usages.includes(usage as KeyUsage)) throw invalidAccess(`the key does not allow ${usage}`);
}

function contextOf(algorithm: unknown): Uint8Array | undefined {
  const context = typeof algorithm === 'object' && algorithm !== null ? (algorithm as { context?: BufferSource }).context : undefined;
  if (context === undefined) return undefined;
  const bytes = bytesOf(context);
  if (bytes.length > 255) throw operationError('the ML-DSA context is longer than 255 bytes');
  return bytes;
}

/**
 * Adds ML-DSA-44/65/87 (FIPS 204) and ML-KEM-512/768/1024 (FIPS 203) to a WebCrypto `Crypto`,
 * in the API of the WICG "Modern Algorithms in the Web Cryptography API" draft: `generateKey`,
 * `importKey`/`exportKey` (`spki`, `pkcs8`, `raw-public`, `raw-seed`), `sign`/`verify` (with an
 * optional `context`), `encapsulateBits`/`decapsulateBits`, `encapsulateKey`/`decapsulateKey`
 * and `getPublicKey`. Everything else is `base`'s.
 *
 * Per algorithm the runtime's own implementation is used when `base` has it (chosen on first use),
 * else `@noble/post-quantum`; its keys are CryptoKey-shaped objects of this package. Randomness
 * (key seeds, the hedged-signing `rnd`, the encapsulation message) comes from
 * `base.getRandomValues`, so an injected random source covers these too.
 *
 * @example
 * ```ts
 * const crypto = withPostQuantum(createNodeCrypto());
 * const { privateKey, publicKey } = await crypto.subtle.generateKey('ML-DSA-65', false, ['sign', 'verify']);
 * ```
 */
export function withPostQuantum(base: Crypto = globalThis.crypto, init: PostQuantumInit = {}): Crypto {
  const subtle = base.subtle;
  const pureJs = init.implementation === 'pure-js';
  const native = new Map<string, Promise<boolean>>();

  function isNative(scheme: Scheme): Promise<boolean> {
    if (pureJs) return Promise.resolve(false);
    let probe = native.get(scheme.name);
    if (!probe) {
      probe = supportsNatively(base, scheme);
      native.set(scheme.name, probe);
    }
    return probe;
  }

  function random(length: number): Uint8Array {
    return base.getRandomValues(new Uint8Array(length));
  }

  function privateMaterial(key: CryptoKey, material: KeyMaterial): Required<Pick<KeyMaterial, 'expandedKey'>> & KeyMaterial {
    if (key.type !== 'private' || !material.expandedKey) throw invalidAccess('a private key is needed');
    return material as Required<Pick<KeyMaterial, 'expandedKey'>> & KeyMaterial;
  }

  function makeKey(type: 'public' | 'private', material: KeyMaterial, extractable: boolean, usages: readonly KeyUsage[]): CryptoKey {
    // WebCrypto makes public keys extractable whatever was asked.
    return new PostQuantumKey(type, material, type === 'public' ? true : extractable, usages);
  }

  function publicKeyOf(material: KeyMaterial, usages: readonly KeyUsage[]): CryptoKey {
    return makeKey('public', { scheme: material.scheme, publicKey: material.publicKey }, true, usages);
  }

  function encapsulate(algorithm: AlgorithmIdentifier, key: CryptoKey, material: KeyMaterial, usage: string) {
    const scheme = material.scheme;
    requireUsage(key, usage, scheme, algorithm);
    if (scheme.kind !== 'kem' || key.type !== 'public') throw invalidAccess('encapsulation needs an ML-KEM public key');
    return scheme.encapsulate(material.publicKey, random(32));
  }

  function decapsulate(algorithm: AlgorithmIdentifier, key: CryptoKey, material: KeyMaterial, ciphertext: BufferSource, usage: string) {
    const scheme = material.scheme;
    requireUsage(key, usage, scheme, algorithm);
    const { expandedKey } = privateMaterial(key, material);
    if (scheme.kind !== 'kem') throw invalidAccess('decapsulation needs an ML-KEM private key');
    const ct = bytesOf(ciphertext);
    if (ct.length !== scheme.lengths.output)
      throw operationError(`an ${scheme.name} ciphertext has ${scheme.lengths.output} bytes, not ${ct.length}`);
    return scheme.decapsulate(ct, expandedKey);
  }

  const own = {
    async generateKey(algorithm: AlgorithmIdentifier, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKeyPair | CryptoKey> {
      const scheme = schemeOf(algorithm);
      if (!scheme || (await isNative(scheme))) return subtle.generateKey(algorithm as never, extractable, usages);
      const allowed = usagesOf(scheme);
      checkUsages(usages, [...allowed.public, ...allowed.private], true);
      const material = fromSeed(scheme, random(scheme.lengths.seed));
      return {
        publicKey: publicKeyOf(
          material,
          usages.filter((u) => allowed.public.includes(u)),
        ),
        privateKey: makeKey(
          'private',
          material,
          extractable,
          usages.filter((u) => allowed.private.includes(u)),
        ),
      };
    },

    async importKey(
      format: string,
      keyData: BufferSource | JsonWebKey,
      algorithm: AlgorithmIdentifier,
      extractable: boolean,
      usages: KeyUsage[],
    ): Promise<CryptoKey> {
      const scheme = schemeOf(algorithm);
      if (!scheme || (await isNative(scheme))) return subtle.importKey(format as never, keyData as never, algorithm, extractable, usages);
      const allowed = usagesOf(scheme);
      if (format === 'jwk') throw notSupported('JWK import of post-quantum keys is not implemented');
      const data = bytesOf(keyData as BufferSource);
      switch (format) {
        case 'spki':
          return makeKey('public', { scheme, publicKey: decodeSpki(scheme, data) }, true, checkUsages(usages, allowed.public, false));
        case 'raw-public':
          return makeKey('public', { scheme, publicKey: checkPublicKey(scheme, data) }, true, checkUsages(usages, allowed.public, false));
        case 'pkcs8':
          return makeKey('private', decodePkcs8(scheme, data), extractable, checkUsages(usages, allowed.private, true));
        case 'raw-seed':
          return makeKey('private', fromSeed(scheme, data), extractable, checkUsages(usages, allowed.private, true));
        default:
          throw notSupported(`${scheme.name} keys cannot be imported as ${format}`);
      }
    },

    async exportKey(format: string, key: CryptoKey): Promise<ArrayBuffer | JsonWebKey> {
      const material = PostQuantumKey.materialOf(key);
      if (!material) return subtle.exportKey(format as never, key);
      if (!key.extractable) throw invalidAccess('the key is not extractable');
      if (key.type === 'public') {
        if (format === 'spki') return bufferOf(encodeSpki(material.scheme, material.publicKey));
        if (format === 'raw-public') return bufferOf(material.publicKey);
      } else {
        if (format === 'pkcs8') return bufferOf(encodePkcs8(material));
        if (format === 'raw-seed') {
          if (!material.seed) throw operationError('the key was imported without its seed');
          return bufferOf(material.seed);
        }
      }
      throw notSupported(`a ${key.type} ${material.scheme.name} key cannot be exported as ${format}`);
    },

    async sign(algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
      const material = PostQuantumKey.materialOf(key);
      if (!material) return subtle.sign(algorithm, key, data);
      const scheme = material.scheme;
      requireUsage(key, 'sign', scheme, algorithm);
      const { expandedKey } = privateMaterial(key, material);
      if (scheme.kind !== 'signature') throw invalidAccess('not a signature key');
      return bufferOf(scheme.sign(bytesOf(data), expandedKey, random(32), contextOf(algorithm)));
    },

    async verify(algorithm: AlgorithmIdentifier, key: CryptoKey, signature: BufferSource, data: BufferSource): Promise<boolean> {
      const material = PostQuantumKey.materialOf(key);
      if (!material) return subtle.verify(algorithm, key, signature, data);
      const scheme = material.scheme;
      requireUsage(key, 'verify', scheme, algorithm);
      if (scheme.kind !== 'signature' || key.type !== 'public') throw invalidAccess('verification needs a public signature key');
      const sig = bytesOf(signature);
      if (sig.length !== scheme.lengths.output) return false;
      try {
        return scheme.verify(sig, bytesOf(data), material.publicKey, contextOf(algorithm));
      } catch {
        return false;
      }
    },

    async encapsulateBits(algorithm: AlgorithmIdentifier, key: CryptoKey): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }> {
      const material = PostQuantumKey.materialOf(key);
      if (!material) return baseKem().encapsulateBits(algorithm, key);
      const { ciphertext, sharedSecret } = encapsulate(algorithm, key, material, 'encapsulateBits');
      return { sharedKey: bufferOf(sharedSecret), ciphertext: bufferOf(ciphertext) };
    },

    async decapsulateBits(algorithm: AlgorithmIdentifier, key: CryptoKey, ciphertext: BufferSource): Promise<ArrayBuffer> {
      const material = PostQuantumKey.materialOf(key);
      if (!material) return baseKem().decapsulateBits(algorithm, key, ciphertext);
      return bufferOf(decapsulate(algorithm, key, material, ciphertext, 'decapsulateBits'));
    },

    async encapsulateKey(
      algorithm: AlgorithmIdentifier,
      key: CryptoKey,
      sharedKeyAlgorithm: AlgorithmIdentifier,
      extractable: boolean,
      usages: KeyUsage[],
    ): Promise<{ sharedKey: CryptoKey; ciphertext: ArrayBuffer }> {
      const material = PostQuantumKey.materialOf(key);
      if (!material) return callBase('encapsulateKey', algorithm, key, sharedKeyAlgorithm, extractable, usages);
      const { ciphertext, sharedSecret } = encapsulate(algorithm, key, material, 'encapsulateKey');
      const sharedKey = await subtle.importKey('raw', bufferOf(sharedSecret), sharedKeyAlgorithm, extractable, usages);
      return { sharedKey, ciphertext: bufferOf(ciphertext) };
    },

    async decapsulateKey(
      algorithm: AlgorithmIdentifier,
      key: CryptoKey,
      ciphertext: BufferSource,
      sharedKeyAlgorithm: AlgorithmIdentifier,
      extractable: boolean,
      usages: KeyUsage[],
    ): Promise<CryptoKey> {
      const material = PostQuantumKey.materialOf(key);
      if (!material) return callBase('decapsulateKey', algorithm, key, ciphertext, sharedKeyAlgorithm, extractable, usages);
      const sharedSecret = decapsulate(algorithm, key, material, ciphertext, 'decapsulateKey');
      return subtle.importKey('raw', bufferOf(sharedSecret), sharedKeyAlgorithm, extractable, usages);
    },

    async getPublicKey(key: CryptoKey, usages: KeyUsage[]): Promise<CryptoKey> {
      const material = PostQuantumKey.materialOf(key);
      if (!material) return callBase('getPublicKey', key, usages);
      if (key.type !== 'private') throw invalidAccess('getPublicKey needs a private key');
      return publicKeyOf(material, checkUsages(usages, usagesOf(material.scheme).public, false));
    },
  };

  function callBase<T>(method: string, ...args: unknown[]): Promise<T> {
    const fn = (subtle as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') return Promise.reject(notSupported(`this WebCrypto has no ${method}`));
    return (fn as (...a: unknown[]) => Promise<T>).apply(subtle, args);
  }

  function baseKem(): KemSubtleCrypto {
    return {
      encapsulateBits: (algorithm, key) => callBase('encapsulateBits', algorithm, key),
      decapsulateBits: (algorithm, key, ciphertext) => callBase('decapsulateBits', algorithm, key, ciphertext),
    };
  }

  const wrapped = new Proxy(subtle, {
    get(target, property) {
      if (Object.hasOwn(own, property)) return own[property as keyof typeof own];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  return {
    subtle: wrapped,
    getRandomValues: base.getRandomValues.bind(base),
    randomUUID: base.randomUUID.bind(base),
  };
}

async function supportsNatively(crypto: Crypto, scheme: Scheme): Promise<boolean> {
  const usages = usagesOf(scheme);
  try {
    const pair = (await crypto.subtle.generateKey(scheme.name as never, false, [...usages.public, ...usages.private])) as CryptoKeyPair;
    return PostQuantumKey.materialOf(pair.privateKey) === undefined;
  } catch {
    return false;
  }
}

/**
 * The post-quantum algorithms `crypto` implements itself (not through this package), probed by
 * generating a key of each. On Node 20 and 22 the answer is empty; Node 24.7 and later have all six.
 */
export async function nativePostQuantumAlgorithms(crypto: Crypto = globalThis.crypto): Promise<PostQuantumAlgorithmName[]> {
  const found: PostQuantumAlgorithmName[] = [];
  for (const scheme of schemes.values()) if (await supportsNatively(crypto, scheme)) found.push(scheme.name);
  return found;
}
