import type { SignatureAlgorithm } from '../algorithms/types.js';
import { equalBytes } from '../internal/bytes.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';

/**
 * A memo of what depends only on certificate bytes: the parsed certificate, its public key
 * imported into a WebCrypto provider, and which issuer certificates its signature verified
 * under. Nothing time- or policy-dependent is kept (validity, key usage, trust are checked on
 * every call), so one cache can serve every verification of a long-running server or client.
 * Create one with {@link createCertificateCache} and pass it as `cache`; without it each call
 * starts empty (certificate parsing and key import then dominate the cost of verifying a
 * signed message).
 */
export interface CertificateCache {
  /** Certificates held. */
  readonly size: number;
  /** The certificate parsed, once per distinct certificate; a ProtectionError badDataFormat if it cannot be. */
  parse(der: Uint8Array): ParsedCertificate;
  /** Forgets everything. */
  clear(): void;
}

/** Options of {@link createCertificateCache}. */
export interface CertificateCacheInit {
  /** Most certificates held; the least recently used go first. Default 1 000. */
  maxEntries?: number;
}

/** One cached certificate. */
export interface CertificateEntry {
  readonly der: Uint8Array;
  readonly parsed: ParsedCertificate;
  readonly keys: Map<Crypto, Map<string, Promise<CryptoKey>>>;
  readonly signedBy: Set<CertificateEntry>;
  /** False once evicted. */
  alive: boolean;
}

const INTERNAL = Symbol('cmpkit.certificateCache');

interface CacheInternals {
  entry(der: Uint8Array): CertificateEntry;
}

function bucketKey(der: Uint8Array): string {
  // The tail of a certificate is its signature: distinct certificates differ there.
  const tail = der.subarray(Math.max(0, der.length - 24));
  let key = `${der.length}:`;
  for (const b of tail) key += String.fromCharCode(b);
  return key;
}

/** Creates an empty {@link CertificateCache}. */
export function createCertificateCache(init: CertificateCacheInit = {}): CertificateCache {
  const maxEntries = Math.max(1, init.maxEntries ?? 1000);
  const buckets = new Map<string, CertificateEntry[]>();
  // The same Uint8Array (a configured anchor, a credential) is found without looking at its bytes.
  // Callers must not modify certificate bytes they pass in, as everywhere in cmpkit.
  let byIdentity = new WeakMap<Uint8Array, CertificateEntry>();
  let size = 0;
  const internals: CacheInternals = {
    entry(der: Uint8Array): CertificateEntry {
      const known = byIdentity.get(der);
      if (known?.alive) return known;
      const key = bucketKey(der);
      const bucket = buckets.get(key);
      const hit = bucket?.find((e) => equalBytes(e.der, der));
      if (bucket && hit) {
        buckets.delete(key);
        buckets.set(key, bucket);
        byIdentity.set(der, hit);
        return hit;
      }
      const created: CertificateEntry = {
        der: der.slice(),
        parsed: parseCertificate(der.slice()),
        keys: new Map(),
        signedBy: new Set(),
        alive: true,
      };
      if (bucket) bucket.push(created);
      else buckets.set(key, [created]);
      byIdentity.set(der, created);
      size++;
      while (size > maxEntries) {
        const oldest = buckets.keys().next().value as string;
        for (const evicted of buckets.get(oldest) ?? []) {
          evicted.alive = false;
          size--;
        }
        buckets.delete(oldest);
      }
      return created;
    },
  };
  return {
    get size() {
      return size;
    },
    parse(der: Uint8Array): ParsedCertificate {
      return internals.entry(der).parsed;
    },
    clear() {
      for (const bucket of buckets.values()) for (const e of bucket) e.alive = false;
      buckets.clear();
      byIdentity = new WeakMap();
      size = 0;
    },
    [INTERNAL]: internals,
  } as CertificateCache;
}

/** The cached entry of a certificate (parsed on first use; a ProtectionError badDataFormat if it cannot be). */
export function certificateEntry(cache: CertificateCache, der: Uint8Array): CertificateEntry {
  return (cache as unknown as { [INTERNAL]: CacheInternals })[INTERNAL].entry(der);
}

/** The certificate's public key imported for `algorithm` into `crypto`, imported once. */
export function entryPublicKey(entry: CertificateEntry, algorithm: SignatureAlgorithm, crypto: Crypto): Promise<CryptoKey> {
  let perCrypto = entry.keys.get(crypto);
  if (!perCrypto) entry.keys.set(crypto, (perCrypto = new Map()));
  const id = `${algorithm.name}|${algorithm.hash ?? ''}`;
  let key = perCrypto.get(id);
  if (!key) {
    const map = perCrypto;
    key = algorithm.importPublicKey(crypto, entry.parsed.subjectPublicKeyInfoDer, entry.parsed.subjectPublicKeyInfo);
    key.catch(() => map.delete(id));
    map.set(id, key);
  }
  return key;
}
