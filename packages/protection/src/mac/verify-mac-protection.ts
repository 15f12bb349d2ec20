import { oidName, oids, receivedProtectedPart, type AlgorithmIdentifier, type DecodedPKIMessage, type GeneralName } from '@cmpkit/codec';
import { cryptoOf } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { bytesOf, equalBytes, hex } from '../internal/bytes.js';
import type { AlgorithmOptions } from '../options.js';
import { macAlgorithmsOf } from './mac-algorithms.js';
import type { MacBoundsOverrides } from './mac-bounds.js';
import { checkMac, isPasswordBasedMacOid, resolveMacProtection, type MacKeyOptions } from './mac-protection.js';

/** A shared secret, or a lookup of it by the message's senderKID (undefined when unknown). */
export type SecretSource =
  Uint8Array | string | ((senderKID: Uint8Array | undefined) => Uint8Array | string | undefined | Promise<Uint8Array | string | undefined>);

/** Trust in MAC-protected messages. */
export interface MacTrust {
  /** The shared secret, or a lookup by senderKID. */
  secret: SecretSource;
  /** When set, the message's senderKID must equal it (a string is UTF-8). */
  senderKID?: Uint8Array | string;
}

/** Options of {@link verifyMacProtection}. */
export interface VerifyMacProtectionOptions extends AlgorithmOptions, MacKeyOptions {
  /** Overrides of the MAC parameter bounds (see `DEFAULT_PBMAC1_BOUNDS`, `DEFAULT_PASSWORD_BASED_MAC_BOUNDS`). */
  macBounds?: MacBoundsOverrides;
}

/** A sender authenticated by a MAC. */
export interface MacVerifiedSender {
  type: 'mac';
  /** `PasswordBasedMac` or `PBMAC1`. */
  algorithm: 'PasswordBasedMac' | 'PBMAC1';
  protectionAlg: AlgorithmIdentifier;
  sender: GeneralName;
  senderKID?: Uint8Array;
}

function fail(failInfo: 'badMessageCheck' | 'badAlg' | 'wrongIntegrity', message: string): never {
  throw new ProtectionError(failInfo, message);
}

/** The protection of a received message, checked for presence (badMessageCheck). @internal */
export function receivedProtection(message: DecodedPKIMessage): { protectionAlg: AlgorithmIdentifier; protection: Uint8Array } {
  const { protectionAlg } = message.header;
  const protection = message.protection;
  if (!message.raw) fail('badMessageCheck', 'only a decoded message (with its received bytes) can be verified');
  if (!protection && !protectionAlg) fail('badMessageCheck', 'the message is not protected');
  if (!protection) fail('badMessageCheck', 'protectionAlg is set but protection is missing');
  if (!protectionAlg) fail('badMessageCheck', 'protection is present but protectionAlg is missing');
  return { protectionAlg, protection };
}

/** Verifies the MAC of a message whose protectionAlg is PasswordBasedMac or PBMAC1. @internal */
export async function verifyMacOf(
  message: DecodedPKIMessage,
  trust: MacTrust,
  options: VerifyMacProtectionOptions,
  protectionAlg: AlgorithmIdentifier,
  protection: Uint8Array,
): Promise<MacVerifiedSender> {
  const crypto = cryptoOf(options);
  const resolved = resolveMacProtection(protectionAlg, macAlgorithmsOf(options), options.macBounds);
  const senderKID = message.header.senderKID;
  if (trust.senderKID !== undefined && !(senderKID && equalBytes(senderKID, bytesOf(trust.senderKID)))) {
    fail('badMessageCheck', `senderKID ${senderKID ? hex(senderKID) : '(absent)'} is not the expected reference`);
  }
  const secret = typeof trust.secret === 'function' ? await trust.secret(senderKID) : trust.secret;
  // An unknown reference costs the same derivation as a known one and fails with the same words,
  // so neither the answer nor its timing tells a peer which references exist.
  const known = secret !== undefined;
  const secretBytes = known ? bytesOf(secret) : crypto.getRandomValues(new Uint8Array(32));
  let keyOptions: MacKeyOptions = options;
  if (!known) {
    keyOptions = { ...options };
    delete keyOptions.macKeyCache;
  }
  const valid = await checkMac(crypto, resolved, secretBytes, receivedProtectedPart(message), protection, keyOptions);
  if (!valid || !known) fail('badMessageCheck', `${resolved.name} protection does not verify`);
  const verified: MacVerifiedSender = { type: 'mac', algorithm: resolved.name, protectionAlg, sender: message.header.sender };
  if (senderKID) verified.senderKID = senderKID;
  return verified;
}

/**
 * Verifies the MAC protection (PasswordBasedMac or PBMAC1) of a received message over the exact
 * bytes it arrived with: what `verifyProtection` does with only `trust.mac`, without the
 * certificate and signature code, which an application that only uses shared secrets then does
 * not bundle.
 *
 * Checks, in order: protection present (badMessageCheck); a password-based MAC (a signature or
 * a KEM-based MAC: wrongIntegrity; DHBasedMac: badAlg); the parameters, including the MAC
 * bounds, before any key derivation (badAlg); the expected senderKID, then the MAC
 * (badMessageCheck; a senderKID without a secret fails the same way, after the same derivation
 * with a random secret, so a peer cannot probe for references), as `verifyProtection` does.
 *
 * @throws ProtectionError with the failInfo named above.
 */
export async function verifyMacProtection(
  message: DecodedPKIMessage,
  trust: MacTrust,
  options: VerifyMacProtectionOptions = {},
): Promise<MacVerifiedSender> {
  const { protectionAlg, protection } = receivedProtection(message);
  const oid = protectionAlg.algorithm;
  if (oid === oids.id_DHBasedMac) fail('badAlg', `${oidName(oid) ?? oid} is not supported`);
  if (!isPasswordBasedMacOid(oid)) fail('wrongIntegrity', `${oidName(oid) ?? oid} protection where a MAC is required`);
  return verifyMacOf(message, trust, options, protectionAlg, protection);
}
