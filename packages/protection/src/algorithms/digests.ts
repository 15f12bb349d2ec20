import { oids, type AlgorithmIdentifier } from '@cmpkit/codec';
import { bufferSource } from '../internal/bytes.js';
import { requireAbsentOrNullParameters, requireAbsentParameters, webCrypto } from './parameters.js';
import type { AlgorithmProvider, DigestAlgorithm, HashName } from './types.js';

interface DigestEntry {
  name: HashName;
  oid: string;
  length: number;
  params: string | { name: string; length: number };
}

const SHA: readonly DigestEntry[] = [
  { name: 'SHA-1', oid: oids.id_sha1, length: 20, params: 'SHA-1' },
  { name: 'SHA-256', oid: oids.id_sha256, length: 32, params: 'SHA-256' },
  { name: 'SHA-384', oid: oids.id_sha384, length: 48, params: 'SHA-384' },
  { name: 'SHA-512', oid: oids.id_sha512, length: 64, params: 'SHA-512' },
];

function digestAlgorithm(entry: DigestEntry): DigestAlgorithm {
  return Object.freeze({
    name: entry.name,
    identifier: { algorithm: entry.oid },
    length: entry.length,
    weak: entry.name === 'SHA-1',
    digest: (crypto: Crypto, data: Uint8Array) =>
      webCrypto('badAlg', `${entry.name} digest`, async () => new Uint8Array(await crypto.subtle.digest(entry.params, bufferSource(data)))),
  });
}

function shaProvider(name: string, entries: readonly DigestEntry[], hash?: SyncHash): AlgorithmProvider {
  const byOid = new Map(entries.map((e) => [e.oid, e]));
  return Object.freeze({
    name,
    digest(identifier: AlgorithmIdentifier): DigestAlgorithm | null {
      const entry = byOid.get(identifier.algorithm);
      if (!entry) return null;
      requireAbsentOrNullParameters(identifier);
      const algorithm = digestAlgorithm(entry);
      return hash ? Object.freeze({ ...algorithm, digestSync: (data: Uint8Array) => hash(entry.name, data) }) : algorithm;
    },
  });
}

/** A synchronous hash function, e.g. over `node:crypto`'s `createHash`. */
export type SyncHash = (name: HashName, data: Uint8Array) => Uint8Array;

/**
 * SHA-1 and SHA-2 with a synchronous hash next to the WebCrypto one (`DigestAlgorithm.digestSync`),
 * for runtimes that have one. Put it before the default providers:
 *
 * @example
 * ```ts
 * // In a Node application (createHash from Node's crypto module; this package imports nothing from Node):
 * const hash: SyncHash = (name, data) => createHash(name.replace('-', '').toLowerCase()).update(data).digest();
 * const algorithms = createAlgorithmRegistry([syncDigestProvider(hash), ...defaultAlgorithmProviders]);
 * ```
 */
export function syncDigestProvider(hash: SyncHash): AlgorithmProvider {
  return shaProvider('sync-digests', SHA, hash);
}

/** SHA-256, SHA-384 and SHA-512 (RFC 9481 section 2.1); parameters absent or NULL. */
export const sha2Digests: AlgorithmProvider = shaProvider('sha2-digests', SHA.slice(1));

/** SHA-1: needed for PasswordBasedMac OWFs of older peers (RFC 4211 section 4.4) and for certHash of SHA-1 signed certificates. */
export const sha1Digest: AlgorithmProvider = shaProvider('sha1-digest', SHA.slice(0, 1));

/**
 * SHAKE256 with 512 bits of output (RFC 9481 section 2.2): the certHash of certificates signed
 * with Ed448. Works where the WebCrypto provider offers `shake256` (e.g. `@peculiar/webcrypto`);
 * elsewhere the digest throws badAlg.
 */
export const shake256Digest: AlgorithmProvider = Object.freeze({
  name: 'shake256-digest',
  digest(identifier: AlgorithmIdentifier): DigestAlgorithm | null {
    if (identifier.algorithm !== oids.id_shake256) return null;
    requireAbsentParameters(identifier);
    return digestAlgorithm({ name: 'SHAKE256', oid: oids.id_shake256, length: 64, params: { name: 'shake256', length: 64 } });
  },
});
