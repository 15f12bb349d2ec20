import { decodePBMParameter, encodePBMParameter, oids, type AlgorithmIdentifier, type PBMParameter } from '@cmpkit/codec';
import type { AlgorithmRegistry } from '../algorithms/registry.js';
import type { DigestAlgorithm, MacAlgorithm, Sha2Name } from '../algorithms/types.js';
import { ProtectionError } from '../errors/protection-error.js';
import type { MacBounds } from './mac-bounds.js';
import { checkIterations, checkSalt } from './check-bounds.js';

/** How {@link protect} builds PasswordBasedMac parameters (RFC 9810 section 5.1.3.1). */
export interface PasswordBasedMacChoice {
  algorithm: 'PasswordBasedMac';
  /** The one-way function. Default `SHA-256`. */
  owf?: 'SHA-1' | Sha2Name;
  /** The HMAC hash. Default `SHA-256`; `SHA-1` is written as hMAC-SHA1 (1.3.6.1.5.5.8.1.2), as OpenSSL does. */
  mac?: 'SHA-1' | Sha2Name;
  /** Default 1 000. */
  iterationCount?: number;
  /** Default: 16 random bytes from the injected crypto. */
  salt?: Uint8Array;
}

const DIGEST_OIDS = {
  'SHA-1': oids.id_sha1,
  'SHA-256': oids.id_sha256,
  'SHA-384': oids.id_sha384,
  'SHA-512': oids.id_sha512,
} as const;

const HMAC_OIDS = {
  'SHA-1': oids.hMAC_SHA1,
  'SHA-256': oids.id_hmacWithSHA256,
  'SHA-384': oids.id_hmacWithSHA384,
  'SHA-512': oids.id_hmacWithSHA512,
} as const;

/** The id-PasswordBasedMac AlgorithmIdentifier for a choice. */
export function passwordBasedMacIdentifier(choice: PasswordBasedMacChoice, crypto: Crypto): AlgorithmIdentifier {
  const params: PBMParameter = {
    salt: choice.salt ?? crypto.getRandomValues(new Uint8Array(16)),
    owf: { algorithm: DIGEST_OIDS[choice.owf ?? 'SHA-256'] },
    iterationCount: choice.iterationCount ?? 1_000,
    mac: { algorithm: HMAC_OIDS[choice.mac ?? 'SHA-256'] },
  };
  return { algorithm: oids.id_PasswordBasedMac, parameters: { der: encodePBMParameter(params) } };
}

/** A checked PasswordBasedMac: everything needed to derive the key. */
export interface ResolvedPasswordBasedMac {
  name: 'PasswordBasedMac';
  params: PBMParameter;
  owf: DigestAlgorithm;
  mac: MacAlgorithm;
}

/**
 * Decodes and checks PBMParameter: the OWF and MAC must be known to the registry, the iteration
 * count and salt inside `bounds`. Derives nothing.
 */
export function resolvePasswordBasedMac(
  identifier: AlgorithmIdentifier,
  registry: AlgorithmRegistry,
  bounds: MacBounds,
): ResolvedPasswordBasedMac {
  if (!identifier.parameters) throw new ProtectionError('badAlg', 'PasswordBasedMac: PBMParameter missing');
  let params: PBMParameter;
  try {
    params = decodePBMParameter(identifier.parameters.der);
  } catch (e) {
    throw new ProtectionError('badAlg', 'PasswordBasedMac: malformed PBMParameter', e);
  }
  checkSalt('PasswordBasedMac', params.salt.length, bounds);
  checkIterations('PasswordBasedMac', params.iterationCount, bounds);
  const owf = registry.digest(params.owf);
  if (owf.name === 'SHAKE256') throw new ProtectionError('badAlg', 'PasswordBasedMac: SHAKE256 is not an OWF here');
  const mac = registry.mac(params.mac);
  return { name: 'PasswordBasedMac', params, owf, mac };
}
