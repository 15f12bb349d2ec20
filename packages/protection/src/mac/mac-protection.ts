import { oids, type AlgorithmIdentifier } from '@cmpkit/codec';
import type { AlgorithmRegistry } from '../algorithms/registry.js';
import { webCrypto } from '../algorithms/parameters.js';
import { bufferSource } from '../internal/bytes.js';
import { DEFAULT_PASSWORD_BASED_MAC_BOUNDS, DEFAULT_PBMAC1_BOUNDS, type MacBounds, type MacBoundsOverrides } from './mac-bounds.js';
import {
  derivePasswordBasedMacKey,
  passwordBasedMacIdentifier,
  resolvePasswordBasedMac,
  type PasswordBasedMacChoice,
  type ResolvedPasswordBasedMac,
} from './password-based-mac.js';
import { derivePbmac1Key, pbmac1Identifier, resolvePbmac1, type Pbmac1Choice, type ResolvedPbmac1 } from './pbmac1.js';

/**
 * Which password-based MAC to send with: PBMAC1 or PasswordBasedMac with optional parameter
 * choices, or an exact `protectionAlg` (for example the one of the request being answered, as
 * RFC 9810 section 5.1.3.1 recommends keeping the parameters constant in a transaction).
 * Default: PBMAC1 with PBKDF2-HMAC-SHA256, 10 000 iterations, a 16-byte random salt, keyLength
 * 32 and HMAC-SHA256.
 */
export type MacChoice = Pbmac1Choice | PasswordBasedMacChoice | { protectionAlg: AlgorithmIdentifier };

/** A checked password-based MAC algorithm, ready for key derivation. */
export type ResolvedMacProtection = ResolvedPasswordBasedMac | ResolvedPbmac1;

/** True when `oid` is one of the password-based MAC protection algorithms cmpkit knows. */
export function isPasswordBasedMacOid(oid: string): boolean {
  return oid === oids.id_PasswordBasedMac || oid === oids.id_PBMAC1;
}

/** The bounds for an algorithm: its defaults, overridden by the common fields, then by its own. */
export function boundsFor(oid: string, overrides: MacBoundsOverrides | undefined): MacBounds {
  const pbmac1 = oid === oids.id_PBMAC1;
  const { PBMAC1, PasswordBasedMac, ...common } = overrides ?? {};
  const own = pbmac1 ? PBMAC1 : PasswordBasedMac;
  return { ...(pbmac1 ? DEFAULT_PBMAC1_BOUNDS : DEFAULT_PASSWORD_BASED_MAC_BOUNDS), ...definedOf(common), ...definedOf(own ?? {}) };
}

/** The fields of `bounds` that hold a value (an explicit undefined does not erase a default). */
function definedOf(bounds: Partial<MacBounds>): Partial<MacBounds> {
  return Object.fromEntries(Object.entries(bounds).filter(([, v]) => v !== undefined)) as Partial<MacBounds>;
}

/** Checks a PasswordBasedMac or PBMAC1 identifier (badAlg on anything else); derives nothing. */
export function resolveMacProtection(
  identifier: AlgorithmIdentifier,
  registry: AlgorithmRegistry,
  macBounds?: MacBoundsOverrides,
): ResolvedMacProtection {
  const bounds = boundsFor(identifier.algorithm, macBounds);
  return identifier.algorithm === oids.id_PBMAC1
    ? resolvePbmac1(identifier, registry, bounds)
    : resolvePasswordBasedMac(identifier, registry, bounds);
}

/** The protectionAlg for a choice (default PBMAC1). */
export function macIdentifier(choice: MacChoice | undefined, crypto: Crypto): AlgorithmIdentifier {
  if (!choice) return pbmac1Identifier({ algorithm: 'PBMAC1' }, crypto);
  if ('protectionAlg' in choice) return choice.protectionAlg;
  return choice.algorithm === 'PBMAC1' ? pbmac1Identifier(choice, crypto) : passwordBasedMacIdentifier(choice, crypto);
}

/** Derives the HMAC key of a resolved MAC from the shared secret. */
export function deriveMacKey(crypto: Crypto, resolved: ResolvedMacProtection, secret: Uint8Array, usages: KeyUsage[]): Promise<CryptoKey> {
  return resolved.name === 'PBMAC1'
    ? derivePbmac1Key(crypto, resolved, secret, usages)
    : derivePasswordBasedMacKey(crypto, resolved, secret, usages);
}

/** The MAC of `data`. */
export async function computeMac(
  crypto: Crypto,
  resolved: ResolvedMacProtection,
  secret: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const key = await deriveMacKey(crypto, resolved, secret, ['sign']);
  return webCrypto('badAlg', 'HMAC', async () => new Uint8Array(await crypto.subtle.sign('HMAC', key, bufferSource(data))));
}

/** True when `mac` is the MAC of `data`; compared by `crypto.subtle.verify`, in constant time. */
export async function checkMac(
  crypto: Crypto,
  resolved: ResolvedMacProtection,
  secret: Uint8Array,
  data: Uint8Array,
  mac: Uint8Array,
): Promise<boolean> {
  const key = await deriveMacKey(crypto, resolved, secret, ['verify']);
  return webCrypto('badAlg', 'HMAC', () => crypto.subtle.verify('HMAC', key, bufferSource(mac), bufferSource(data)));
}
