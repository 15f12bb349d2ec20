import { oids, type AlgorithmIdentifier } from '@cmpkit/codec';
import type { AlgorithmRegistry } from '../algorithms/registry.js';
import { webCrypto } from '../algorithms/parameters.js';
import type { MacAlgorithm } from '../algorithms/types.js';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource, hex } from '../internal/bytes.js';
import { iterateDigest, pbkdf2 } from '../kdf/inline-key-deriver.js';
import type { KeyDerivationOptions, PasswordDerivation } from '../kdf/password-key-deriver.js';
import type { MacKeyCache } from './mac-key-cache.js';
import { DEFAULT_PASSWORD_BASED_MAC_BOUNDS, DEFAULT_PBMAC1_BOUNDS, type MacBounds, type MacBoundsOverrides } from './mac-bounds.js';
import {
  passwordBasedMacIdentifier,
  resolvePasswordBasedMac,
  type PasswordBasedMacChoice,
  type ResolvedPasswordBasedMac,
} from './password-based-mac.js';
import { pbmac1Identifier, resolvePbmac1, type Pbmac1Choice, type ResolvedPbmac1 } from './pbmac1.js';

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

/** Where MAC keys are derived and kept. */
export interface MacKeyOptions extends KeyDerivationOptions {
  /** Derived keys to reuse across messages (see {@link createMacKeyCache}). */
  macKeyCache?: MacKeyCache;
}

/** The derivation a resolved MAC needs from `secret`, and how to run it here when no deriver is injected. */
function derivationOf(
  crypto: Crypto,
  resolved: ResolvedMacProtection,
  secret: Uint8Array,
): { derivation: PasswordDerivation; inline(): Promise<Uint8Array> } {
  if (resolved.name === 'PBMAC1') {
    const { salt, iterationCount, keyLength } = resolved;
    const derivation = { algorithm: 'PBKDF2', prf: resolved.prf.hash, secret, salt, iterationCount, keyLength } as const;
    return { derivation, inline: () => pbkdf2(crypto, derivation) };
  }
  const { owf, params } = resolved;
  if (owf.name === 'SHAKE256') throw new ProtectionError('badAlg', 'PasswordBasedMac: SHAKE256 is not an OWF here');
  return {
    derivation: { algorithm: 'PasswordBasedMac', owf: owf.name, secret, salt: params.salt, iterationCount: params.iterationCount },
    inline: () => iterateDigest(crypto, owf, secret, params.salt, params.iterationCount),
  };
}

/** Everything but the secret that the MAC key depends on, as a cache key. */
function cacheKeyOf(derivation: PasswordDerivation, mac: MacAlgorithm): string {
  const kdf = derivation.algorithm === 'PBKDF2' ? `PBKDF2/${derivation.prf}/${derivation.keyLength}` : `PBM/${derivation.owf}`;
  return `${kdf}/${derivation.iterationCount}/${mac.hash}/${hex(derivation.salt)}`;
}

/** A MAC key, and how to keep it once a received MAC verified with it. */
interface MacKey {
  key: CryptoKey;
  remember(): void;
}

/** The HMAC key of a resolved MAC for `secret`: from the cache, else derived and imported once (for sign and verify). */
async function macKey(crypto: Crypto, resolved: ResolvedMacProtection, secret: Uint8Array, options: MacKeyOptions): Promise<MacKey> {
  const { derivation, inline } = derivationOf(crypto, resolved, secret);
  const cache = options.macKeyCache;
  const id = cache ? cacheKeyOf(derivation, resolved.mac) : '';
  const cached = cache?.get(id, secret);
  if (cached) return { key: cached, remember: () => {} };
  const bytes = await (options.keyDeriver ? options.keyDeriver.derive(derivation) : inline());
  const key = await resolved.mac.importKey(crypto, bytes, ['sign', 'verify']);
  return { key, remember: () => cache?.set(id, secret, key) };
}

/** The MAC of `data`. */
export async function computeMac(
  crypto: Crypto,
  resolved: ResolvedMacProtection,
  secret: Uint8Array,
  data: Uint8Array,
  options: MacKeyOptions = {},
): Promise<Uint8Array> {
  const { key } = await macKey(crypto, resolved, secret, options);
  return webCrypto('badAlg', 'HMAC', async () => new Uint8Array(await crypto.subtle.sign('HMAC', key, bufferSource(data))));
}

/**
 * True when `mac` is the MAC of `data`; compared by `crypto.subtle.verify`, in constant time.
 * A key whose MAC verified goes into `options.macKeyCache`.
 */
export async function checkMac(
  crypto: Crypto,
  resolved: ResolvedMacProtection,
  secret: Uint8Array,
  data: Uint8Array,
  mac: Uint8Array,
  options: MacKeyOptions = {},
): Promise<boolean> {
  const { key, remember } = await macKey(crypto, resolved, secret, options);
  const valid = await webCrypto('badAlg', 'HMAC', () => crypto.subtle.verify('HMAC', key, bufferSource(mac), bufferSource(data)));
  if (valid) remember();
  return valid;
}
