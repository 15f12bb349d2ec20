import { encodeProtectedPart, type PKIHeader, type PKIMessage } from '@cmpkit/codec';
import type { MacCredential } from '../credentials.js';
import { cryptoOf } from '../crypto-options.js';
import { bytesOf } from '../internal/bytes.js';
import { withProtection } from '../internal/protected-message.js';
import type { AlgorithmOptions } from '../options.js';
import { macAlgorithmsOf } from './mac-algorithms.js';
import type { MacBoundsOverrides } from './mac-bounds.js';
import { computeMac, macIdentifier, resolveMacProtection, type MacKeyOptions } from './mac-protection.js';

/** Options of {@link protectWithMac}. */
export interface ProtectWithMacOptions extends AlgorithmOptions, MacKeyOptions {
  /**
   * Bounds the MAC parameters must respect; the ones sent are checked like received ones, so
   * cmpkit never sends what it would refuse. Default: per algorithm, see `DEFAULT_PBMAC1_BOUNDS`.
   */
  macBounds?: MacBoundsOverrides;
}

/**
 * Protects a message with a shared secret (RFC 9810 section 5.1.3.1): PBMAC1 (default) or
 * PasswordBasedMac as `credential.mac` chooses. Sets `header.protectionAlg` and `header.senderKID`
 * (the credential's reference), computes the MAC over the DER of ProtectedPart and returns a new
 * message; extraCerts are left as they are, the input is not modified.
 *
 * What `protect` does for a MAC credential, without the certificate and signature code: an
 * application that only uses shared secrets (a browser enrolling with a one-time password,
 * say) bundles neither.
 *
 * @throws ProtectionError badAlg for a MAC choice that cannot be used.
 */
export async function protectWithMac(
  message: PKIMessage,
  credential: MacCredential,
  options: ProtectWithMacOptions = {},
): Promise<PKIMessage> {
  const crypto = cryptoOf(options);
  const protectionAlg = macIdentifier(credential.mac, crypto);
  const resolved = resolveMacProtection(protectionAlg, macAlgorithmsOf(options), options.macBounds);
  const header: PKIHeader = { ...message.header, protectionAlg, senderKID: bytesOf(credential.senderKID) };
  const data = encodeProtectedPart({ header, body: message.body });
  const protection = await computeMac(crypto, resolved, bytesOf(credential.secret), data, options);
  return withProtection(message, header, protection, message.extraCerts);
}
