/** Bytes from the injected WebCrypto: nonces and transactionIDs (128 bits, RFC 9810 5.1.1). */
export function randomBytes(crypto: Crypto, length = 16): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
