/**
 * The crypto seam of every protection operation. Nothing in this package reaches for a global
 * other than as the default of `crypto`.
 */
export interface CryptoOptions {
  /** The WebCrypto implementation to use. Default: `globalThis.crypto`. */
  crypto?: Crypto;
}

/** The injected Crypto, or the platform's. */
export function cryptoOf(options?: CryptoOptions): Crypto {
  const crypto = options?.crypto ?? globalThis.crypto;
  if (!crypto?.subtle) throw new TypeError('protection: no WebCrypto implementation available');
  return crypto;
}
