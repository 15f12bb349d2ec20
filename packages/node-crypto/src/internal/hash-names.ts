/** WebCrypto hash names and their node:crypto names. */
const HASHES: ReadonlyMap<string, string> = new Map([
  ['SHA-1', 'sha1'],
  ['SHA-256', 'sha256'],
  ['SHA-384', 'sha384'],
  ['SHA-512', 'sha512'],
]);

/**
 * The node:crypto name of a WebCrypto hash (`'SHA-256'` or `{ name: 'SHA-256' }`, any case), or
 * undefined for anything else.
 */
export function nodeHashName(hash: unknown): string | undefined {
  const name = typeof hash === 'string' ? hash : typeof hash === 'object' && hash !== null ? (hash as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? HASHES.get(name.toUpperCase()) : undefined;
}
