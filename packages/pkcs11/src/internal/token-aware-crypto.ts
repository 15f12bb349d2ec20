/** The SubtleCrypto methods that may take a key; every one is routed by its key arguments. */
const SUBTLE_METHODS = [
  'decrypt',
  'deriveBits',
  'deriveKey',
  'digest',
  'encrypt',
  'exportKey',
  'generateKey',
  'importKey',
  'sign',
  'unwrapKey',
  'verify',
  'wrapKey',
] as const;

/**
 * A `Crypto` that runs every SubtleCrypto call that is given a token key (one `tokenOf` knows) on
 * that token's provider, and every other call, `getRandomValues` and `randomUUID` on `fallback`.
 */
export function tokenAwareCrypto(fallback: Crypto, tokenOf: (key: CryptoKey) => Crypto | undefined): Crypto {
  const route = (args: readonly unknown[]): SubtleCrypto => {
    for (const arg of args) {
      if (typeof arg === 'object' && arg !== null && 'type' in arg && 'algorithm' in arg) {
        const token = tokenOf(arg as CryptoKey);
        if (token) return token.subtle;
      }
    }
    return fallback.subtle;
  };
  const subtle = {} as Record<(typeof SUBTLE_METHODS)[number], (...args: unknown[]) => Promise<unknown>>;
  for (const name of SUBTLE_METHODS) {
    subtle[name] = (...args: unknown[]) => {
      const target = route(args) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return target[name]!.apply(target, args);
    };
  }
  return {
    subtle: subtle as unknown as SubtleCrypto,
    getRandomValues: ((array: ArrayBufferView) => fallback.getRandomValues(array)) as Crypto['getRandomValues'],
    randomUUID: () => fallback.randomUUID(),
  } as Crypto;
}
