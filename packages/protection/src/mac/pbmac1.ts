import {
  decodePBKDF2Params,
  decodePBMAC1Params,
  encodePBKDF2Params,
  encodePBMAC1Params,
  oids,
  type AlgorithmIdentifier,
  type PBKDF2Params,
} from '@cmpkit/codec';
import { nullParameters } from '../algorithms/parameters.js';
import type { AlgorithmRegistry } from '../algorithms/registry.js';
import type { MacAlgorithm, Sha2Name } from '../algorithms/types.js';
import { ProtectionError } from '../errors/protection-error.js';
import { checkIterations, checkKeyLength, checkSalt } from './check-bounds.js';
import type { MacBounds } from './mac-bounds.js';

/** How {@link protect} builds PBMAC1 parameters (RFC 9481 section 6.1.2, RFC 8018 appendix A.5). */
export interface Pbmac1Choice {
  algorithm: 'PBMAC1';
  /** The PBKDF2 pseudorandom function, HMAC with this hash. Default `SHA-256`. */
  prf?: Sha2Name;
  /** The message authentication scheme, HMAC with this hash. Default `SHA-256`. */
  mac?: Sha2Name;
  /** PBKDF2 iterations. Default 10 000. */
  iterationCount?: number;
  /** PBKDF2 keyLength in bytes, always written. Default: the MAC hash's output length. */
  keyLength?: number;
  /** Default: 16 random bytes from the injected crypto. */
  salt?: Uint8Array;
}

const HMAC = {
  'SHA-256': [oids.id_hmacWithSHA256, 32],
  'SHA-384': [oids.id_hmacWithSHA384, 48],
  'SHA-512': [oids.id_hmacWithSHA512, 64],
} as const;

/** The id-PBMAC1 AlgorithmIdentifier for a choice. HMAC identifiers carry NULL parameters (RFC 8018 appendix B.1). */
export function pbmac1Identifier(choice: Pbmac1Choice, crypto: Crypto): AlgorithmIdentifier {
  const prf = choice.prf ?? 'SHA-256';
  const mac = choice.mac ?? 'SHA-256';
  const kdf: PBKDF2Params = {
    salt: { type: 'specified', value: choice.salt ?? crypto.getRandomValues(new Uint8Array(16)) },
    iterationCount: choice.iterationCount ?? 10_000,
    keyLength: choice.keyLength ?? HMAC[mac][1],
    prf: { algorithm: HMAC[prf][0], parameters: nullParameters() },
  };
  const der = encodePBMAC1Params({
    keyDerivationFunc: { algorithm: oids.id_PBKDF2, parameters: { der: encodePBKDF2Params(kdf) } },
    messageAuthScheme: { algorithm: HMAC[mac][0], parameters: nullParameters() },
  });
  return { algorithm: oids.id_PBMAC1, parameters: { der } };
}

/** A checked PBMAC1: everything needed to derive the key. */
export interface ResolvedPbmac1 {
  name: 'PBMAC1';
  salt: Uint8Array;
  iterationCount: number;
  keyLength: number;
  prf: MacAlgorithm;
  mac: MacAlgorithm;
}

function sha2Hmac(registry: AlgorithmRegistry, identifier: AlgorithmIdentifier, what: string): MacAlgorithm {
  const mac = registry.mac(identifier);
  if (mac.weak) throw new ProtectionError('badAlg', `PBMAC1: ${what} ${mac.name} is not allowed (HMAC-SHA2 only)`);
  return mac;
}

/**
 * Decodes and checks PBMAC1-params: the KDF must be id-PBKDF2 (not, say, PBES2) with a specified
 * salt, iterationCount, keyLength and salt within `bounds`, the PRF and the MAC HMAC-SHA2. Derives
 * nothing. Without keyLength the MAC hash's output length is derived.
 */
export function resolvePbmac1(identifier: AlgorithmIdentifier, registry: AlgorithmRegistry, bounds: MacBounds): ResolvedPbmac1 {
  if (!identifier.parameters) throw new ProtectionError('badAlg', 'PBMAC1: PBMAC1-params missing');
  let kdfId: AlgorithmIdentifier;
  let macId: AlgorithmIdentifier;
  try {
    ({ keyDerivationFunc: kdfId, messageAuthScheme: macId } = decodePBMAC1Params(identifier.parameters.der));
  } catch (e) {
    throw new ProtectionError('badAlg', 'PBMAC1: malformed PBMAC1-params', e);
  }
  if (kdfId.algorithm !== oids.id_PBKDF2) {
    throw new ProtectionError('badAlg', `PBMAC1: keyDerivationFunc must be id-PBKDF2, not ${kdfId.algorithm}`);
  }
  if (!kdfId.parameters) throw new ProtectionError('badAlg', 'PBMAC1: PBKDF2-params missing');
  let kdf: PBKDF2Params;
  try {
    kdf = decodePBKDF2Params(kdfId.parameters.der);
  } catch (e) {
    throw new ProtectionError('badAlg', 'PBMAC1: malformed PBKDF2-params', e);
  }
  if (kdf.salt.type !== 'specified') throw new ProtectionError('badAlg', 'PBMAC1: the PBKDF2 salt must be specified');
  checkSalt('PBMAC1', kdf.salt.value.length, bounds);
  checkIterations('PBMAC1', kdf.iterationCount, bounds);
  // An absent prf is hmacWithSHA1, the DEFAULT: refused below as not HMAC-SHA2.
  const prf = sha2Hmac(registry, kdf.prf ?? { algorithm: oids.id_hmacWithSHA1, parameters: nullParameters() }, 'PRF');
  const mac = sha2Hmac(registry, macId, 'messageAuthScheme');
  const keyLength = kdf.keyLength ?? { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[mac.hash];
  checkKeyLength('PBMAC1', keyLength, bounds);
  return { name: 'PBMAC1', salt: kdf.salt.value, iterationCount: kdf.iterationCount, keyLength, prf, mac };
}
