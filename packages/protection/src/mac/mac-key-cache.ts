import { equalSecrets } from '../internal/bytes.js';

/** Construction input of {@link createMacKeyCache}. */
export interface MacKeyCacheInit {
  /** Most keys kept; the least recently used goes first. Default 1024. */
  maxEntries?: number;
  /** How long a key is kept after it was derived, in milliseconds. Default: as long as there is room. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch, for `maxAgeMs`. Default: the platform clock. */
  now?: () => number;
}

/**
 * HMAC keys derived from shared secrets, by everything their derivation depends on (algorithm,
 * one-way function or PRF, salt, iteration count, key length, MAC hash and the secret). A peer
 * that keeps its MAC parameters for a transaction (RFC 9810 section 5.1.3.1), and a server that
 * answers with the request's parameters, then pay one derivation instead of one per message.
 *
 * Only keys whose MAC verified on a received message are added, so an unauthenticated peer can
 * neither fill the cache nor tell from the time an answer takes whether a reference exists.
 */
export interface MacKeyCache {
  /** The key for `parameters` derived from `secret`, if cached. */
  get(parameters: string, secret: Uint8Array): CryptoKey | undefined;
  /** Remembers `key` for `parameters` and `secret`. */
  set(parameters: string, secret: Uint8Array, key: CryptoKey): void;
}

interface Entry {
  secret: Uint8Array;
  key: CryptoKey;
  derivedAt: number;
}

/** A bounded, least-recently-used {@link MacKeyCache}. */
export function createMacKeyCache(init: MacKeyCacheInit = {}): MacKeyCache {
  const maxEntries = init.maxEntries ?? 1024;
  if (!(Number.isInteger(maxEntries) && maxEntries > 0)) throw new RangeError('protection: maxEntries must be a positive integer');
  const maxAgeMs = init.maxAgeMs ?? Infinity;
  const now = init.now ?? (() => Date.now());
  const entries = new Map<string, Entry>();
  return {
    get(parameters, secret) {
      const entry = entries.get(parameters);
      if (!entry || !equalSecrets(entry.secret, secret)) return undefined;
      if (now() - entry.derivedAt > maxAgeMs) {
        entries.delete(parameters);
        return undefined;
      }
      entries.delete(parameters);
      entries.set(parameters, entry);
      return entry.key;
    },
    set(parameters, secret, key) {
      entries.delete(parameters);
      entries.set(parameters, { secret: secret.slice(), key, derivedAt: now() });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}
