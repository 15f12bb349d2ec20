/**
 * A CA made by {@link createSelfSignedCa} or {@link createSubordinateCa}: what
 * `createCertificateAuthority` takes (spread it: `createCertificateAuthority({ ...root, crypto })`).
 */
export interface GeneratedCa {
  /** The CA certificate (DER). */
  certificate: Uint8Array;
  /** The CA's private key (extractable only when asked for). */
  privateKey: CryptoKey;
  /** The CA's public key. */
  publicKey: CryptoKey;
  /** The certificates above this one, issuer first, up to the root; empty for a root. */
  chain: Uint8Array[];
}

/** The key of a CA to be generated: key-generation parameters, or an existing pair. */
export interface CaKeyOptions {
  /**
   * WebCrypto key-generation parameters, e.g. `{ name: 'ECDSA', namedCurve: 'P-384' }`,
   * `{ name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]),
   * hash: 'SHA-256' }` or `{ name: 'Ed25519' }`. Default: ECDSA P-256.
   */
  keyAlgorithm?: EcKeyGenParams | RsaHashedKeyGenParams | Algorithm;
  /** Use this key pair instead of generating one. */
  keyPair?: CryptoKeyPair;
  /** Make a generated private key extractable (to store it). Default: false. */
  extractable?: boolean;
}

/** The default CA key: ECDSA on P-256. */
export const DEFAULT_CA_KEY_ALGORITHM: EcKeyGenParams = Object.freeze({ name: 'ECDSA', namedCurve: 'P-256' });

/** The key pair described by `options`. @internal */
export async function caKeyPair(crypto: Crypto, options: CaKeyOptions): Promise<CryptoKeyPair> {
  if (options.keyPair) return options.keyPair;
  return (await crypto.subtle.generateKey(options.keyAlgorithm ?? DEFAULT_CA_KEY_ALGORITHM, options.extractable ?? false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}
