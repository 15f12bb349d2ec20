import { oids, type AlgorithmIdentifier } from '@cmpkit/codec';
import { bufferSource } from '../internal/bytes.js';
import { requireAbsentOrNullParameters, webCrypto } from './parameters.js';
import type { AlgorithmProvider, MacAlgorithm, Sha2Name } from './types.js';

function hmacAlgorithm(name: string, identifier: AlgorithmIdentifier, hash: 'SHA-1' | Sha2Name): MacAlgorithm {
  return Object.freeze({
    name,
    identifier,
    hash,
    weak: hash === 'SHA-1',
    importKey: (crypto: Crypto, key: Uint8Array, usages: KeyUsage[]) =>
      webCrypto('badAlg', `HMAC-${hash} key import`, () =>
        crypto.subtle.importKey('raw', bufferSource(key), { name: 'HMAC', hash }, false, usages),
      ),
  });
}

function hmacProvider(providerName: string, table: ReadonlyArray<readonly [string, string, 'SHA-1' | Sha2Name]>): AlgorithmProvider {
  const byOid = new Map(table.map(([oid, name, hash]) => [oid, { name, hash }]));
  return Object.freeze({
    name: providerName,
    mac(identifier: AlgorithmIdentifier): MacAlgorithm | null {
      const entry = byOid.get(identifier.algorithm);
      if (!entry) return null;
      requireAbsentOrNullParameters(identifier);
      return hmacAlgorithm(entry.name, identifier, entry.hash);
    },
  });
}

/** hmacWithSHA256/384/512 (RFC 9481 section 6.2.1); parameters absent or NULL. */
export const hmacSha2: AlgorithmProvider = hmacProvider('hmac-sha2', [
  [oids.id_hmacWithSHA256, 'hmacWithSHA256', 'SHA-256'],
  [oids.id_hmacWithSHA384, 'hmacWithSHA384', 'SHA-384'],
  [oids.id_hmacWithSHA512, 'hmacWithSHA512', 'SHA-512'],
]);

/**
 * HMAC-SHA1 under both of its OIDs: hmacWithSHA1 (1.2.840.113549.2.7, RFC 8018) and hMAC-SHA1
 * (1.3.6.1.5.5.8.1.2, RFC 3370), which RFC 4211 section 4.4 makes mandatory for PasswordBasedMac
 * and which `openssl cmp` uses by default (`-mac hmac-sha1`).
 */
export const hmacSha1: AlgorithmProvider = hmacProvider('hmac-sha1', [
  [oids.id_hmacWithSHA1, 'hmacWithSHA1', 'SHA-1'],
  [oids.hMAC_SHA1, 'hMAC-SHA1', 'SHA-1'],
]);
