import { createHash, createHmac, KeyObject, sign as nodeSign, timingSafeEqual, verify as nodeVerify, webcrypto } from 'node:crypto';
import { arrayBufferOf, viewOf } from './internal/bytes.js';
import { nodeHashName } from './internal/hash-names.js';
import { signaturePlan } from './internal/signature-plan.js';

type SignatureAlgorithm = AlgorithmIdentifier | RsaPssParams | EcdsaParams;

/**
 * A WebCrypto `Crypto` whose hot operations run synchronously on node:crypto: ECDSA and EdDSA
 * sign and verify, RSA (PKCS#1 v1.5 and PSS) verify, HMAC sign and verify, and SHA-1/SHA-2
 * digests. Everything else, and every call these do not recognise exactly (another algorithm, a
 * key without the usage, a foreign key object), goes to `base` unchanged, so errors are
 * WebCrypto's own.
 *
 * Node's WebCrypto runs each signature as a job on the libuv thread pool; on a busy server that
 * round trip costs several times the signature itself (ECDSA P-256: ~0.06 ms to sign and verify
 * on node:crypto, ~0.15 ms through WebCrypto, and far more under contention). The results are
 * still promises, so this is a drop-in `crypto` option for every cmpkit package.
 *
 * @example
 * ```ts
 * const crypto = createNodeCrypto();
 * const server = createServer({ ...init, crypto });
 * ```
 */
export function createNodeCrypto(base: Crypto = webcrypto as Crypto): Crypto {
  const subtle = base.subtle;
  const keyObjects = new WeakMap<CryptoKey, KeyObject>();

  function keyObjectOf(key: CryptoKey): KeyObject | undefined {
    let keyObject = keyObjects.get(key);
    if (!keyObject) {
      try {
        keyObject = KeyObject.from(key as webcrypto.CryptoKey);
      } catch {
        return undefined; // not a CryptoKey of this runtime's WebCrypto
      }
      keyObjects.set(key, keyObject);
    }
    return keyObject;
  }

  function hmacOf(algorithm: SignatureAlgorithm, key: CryptoKey, usage: KeyUsage): { hash: string; key: KeyObject } | undefined {
    const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
    if (key.algorithm.name !== 'HMAC' || typeof name !== 'string' || name.toUpperCase() !== 'HMAC' || !key.usages.includes(usage))
      return undefined;
    const hash = nodeHashName((key.algorithm as HmacKeyAlgorithm).hash);
    const keyObject = keyObjectOf(key);
    // Node 20 imports only whole-byte HMAC keys; a runtime that truncates to `length` bits is left to WebCrypto.
    if (!hash || !keyObject || (key.algorithm as HmacKeyAlgorithm).length !== 8 * (keyObject.symmetricKeySize ?? -1)) return undefined;
    return { hash, key: keyObject };
  }

  function signNow(algorithm: SignatureAlgorithm, key: CryptoKey, data: Uint8Array): Uint8Array | undefined {
    const hmac = hmacOf(algorithm, key, 'sign');
    if (hmac) return createHmac(hmac.hash, hmac.key).update(data).digest();
    const plan = signaturePlan(algorithm, key, 'sign');
    const keyObject = plan && keyObjectOf(key);
    if (!plan || !keyObject) return undefined;
    return nodeSign(plan.digest, data, { key: keyObject, ...plan.options });
  }

  function verifyNow(algorithm: SignatureAlgorithm, key: CryptoKey, signature: Uint8Array, data: Uint8Array): boolean | undefined {
    const hmac = hmacOf(algorithm, key, 'verify');
    if (hmac) {
      const expected = createHmac(hmac.hash, hmac.key).update(data).digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    }
    const plan = signaturePlan(algorithm, key, 'verify');
    const keyObject = plan && keyObjectOf(key);
    if (!plan || !keyObject) return undefined;
    try {
      return nodeVerify(plan.digest, data, { key: keyObject, ...plan.options }, signature);
    } catch {
      return false; // a malformed signature: WebCrypto answers false as well
    }
  }

  const fast: Partial<SubtleCrypto> = {
    async sign(algorithm: SignatureAlgorithm, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
      const signature = signNow(algorithm, key, viewOf(data));
      return signature ? arrayBufferOf(signature) : subtle.sign(algorithm, key, data);
    },
    async verify(algorithm: SignatureAlgorithm, key: CryptoKey, signature: BufferSource, data: BufferSource): Promise<boolean> {
      return verifyNow(algorithm, key, viewOf(signature), viewOf(data)) ?? subtle.verify(algorithm, key, signature, data);
    },
    async digest(algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> {
      const hash = nodeHashName(algorithm);
      return hash ? arrayBufferOf(createHash(hash).update(viewOf(data)).digest()) : subtle.digest(algorithm, data);
    },
  };

  // Every other SubtleCrypto method is the base's, bound to it.
  const delegated = new Proxy(subtle, {
    get(target, property) {
      if (Object.hasOwn(fast, property)) return fast[property as keyof SubtleCrypto];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  return {
    subtle: delegated,
    getRandomValues: base.getRandomValues.bind(base),
    randomUUID: base.randomUUID.bind(base),
  };
}
