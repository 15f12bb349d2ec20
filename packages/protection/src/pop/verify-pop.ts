import {
  encodeCertRequest,
  encodePOPOSigningKeyInput,
  encodeSubjectPublicKeyInfo,
  oidName,
  type CertReqMsg,
  type GeneralName,
} from '@cmpkit/codec';
import { cryptoOf } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { bytesOf, equalBytes } from '../internal/bytes.js';
import type { MacBoundsOverrides } from '../mac/mac-bounds.js';
import { checkMac, isPasswordBasedMacOid, resolveMacProtection } from '../mac/mac-protection.js';
import type { KeyDerivationOptions } from '../kdf/password-key-deriver.js';
import { algorithmsOf, type AlgorithmOptions } from '../options.js';
import { nameEqual } from '../x509/name-equal.js';
import { checkRequestedKeySize } from './requested-key-size.js';

/** Options of {@link verifyPOP}. */
export interface VerifyPOPOptions extends AlgorithmOptions, KeyDerivationOptions {
  /** Accept `raVerified` (the RA checked POP). Default false, as OpenSSL's `-accept_raverified`. */
  acceptRaVerified?: boolean;
  /** Accept SHA-1 POP signatures. Default false. */
  allowSha1?: boolean;
  /** The authenticated sender of the message: a poposkInput with authInfo `sender` must name it. */
  sender?: GeneralName;
  /** The shared secret for a poposkInput with authInfo `publicKeyMAC`. */
  publicKeyMACSecret?: Uint8Array | string;
  /** Bounds for the publicKeyMAC parameters. */
  macBounds?: MacBoundsOverrides;
}

/** How proof of possession was established. */
export type POPVerification = { method: 'signature'; algorithm: string } | { method: 'raVerified' };

function badPOP(message: string, cause?: unknown, alg = false): never {
  throw new ProtectionError(alg ? ['badPOP', 'badAlg'] : 'badPOP', `POP: ${message}`, cause);
}

function generalNameEqual(a: GeneralName, b: GeneralName): boolean {
  if (a.type === 'directoryName' && b.type === 'directoryName') return nameEqual(a.value, b.value);
  if (a.type !== b.type) return false;
  return a.value instanceof Uint8Array && b.value instanceof Uint8Array ? equalBytes(a.value, b.value) : a.value === b.value;
}

/**
 * Verifies the proof of possession of a CertReqMsg (RFC 4211 section 4): a POPOSigningKey
 * signature with the template's public key, over the received DER of certReq (`raw.certReq`
 * of a decoded message; a re-encoding otherwise) or over poposkInput, whose publicKey must equal
 * the template's and whose authInfo must match `options.sender` or verify with
 * `options.publicKeyMACSecret`; `raVerified` only with `options.acceptRaVerified`. Key
 * encipherment and key agreement POP are not verifiable here (they need a challenge or the
 * certConf): they fail.
 *
 * @throws ProtectionError badPOP (with badAlg as well for unknown or forbidden algorithms);
 *   badCertTemplate for an RSA key above 16384 bits, which no import is tried for.
 */
export async function verifyPOP(certReqMsg: CertReqMsg, options: VerifyPOPOptions = {}): Promise<POPVerification> {
  const popo = certReqMsg.popo;
  if (!popo) badPOP('proof of possession missing');
  if (popo.type === 'raVerified') {
    if (!options.acceptRaVerified) badPOP('raVerified is not accepted');
    return { method: 'raVerified' };
  }
  if (popo.type !== 'signature') badPOP(`${popo.type} POP cannot be verified from the request alone`);
  const crypto = cryptoOf(options);
  const registry = algorithmsOf(options);
  const pop = popo.value;
  const template = certReqMsg.certReq.certTemplate;
  if (!template.publicKey) badPOP('the template has no publicKey');
  checkRequestedKeySize(template.publicKey, 'POP');
  let algorithm;
  try {
    algorithm = registry.signature(pop.algorithmIdentifier);
  } catch (e) {
    badPOP(`unsupported algorithm ${oidName(pop.algorithmIdentifier.algorithm) ?? pop.algorithmIdentifier.algorithm}`, e, true);
  }
  if (algorithm.weak && !options.allowSha1) badPOP(`${algorithm.name} is not accepted (allowSha1 is off)`, undefined, true);
  const spki = encodeSubjectPublicKeyInfo(template.publicKey);
  let signed: Uint8Array;
  const input = pop.poposkInput;
  if (input) {
    if (template.subject) badPOP('poposkInput must be absent when the template has a subject and a publicKey (RFC 4211 section 4.1)');
    if (!equalBytes(encodeSubjectPublicKeyInfo(input.publicKey), spki)) badPOP('poposkInput.publicKey differs from the template publicKey');
    if (input.authInfo.type === 'sender') {
      if (!options.sender) badPOP('poposkInput names a sender but no authenticated sender is known');
      if (!generalNameEqual(input.authInfo.value, options.sender)) badPOP('poposkInput.sender is not the authenticated sender');
    } else {
      const { algId, value } = input.authInfo.value;
      if (options.publicKeyMACSecret === undefined) badPOP('publicKeyMAC present but no shared secret is configured');
      if (!isPasswordBasedMacOid(algId.algorithm)) badPOP(`unsupported publicKeyMAC algorithm ${algId.algorithm}`, undefined, true);
      let resolved;
      try {
        resolved = resolveMacProtection(algId, registry, options.macBounds);
      } catch (e) {
        badPOP('unacceptable publicKeyMAC parameters', e, true);
      }
      if (!(await checkMac(crypto, resolved, bytesOf(options.publicKeyMACSecret), spki, value, options)))
        badPOP('publicKeyMAC does not verify');
    }
    signed = pop.raw?.poposkInput ?? encodePOPOSigningKeyInput(input);
  } else {
    if (!template.subject) badPOP('poposkInput is required when the template has no subject (RFC 4211 section 4.1)');
    signed = certReqMsg.raw?.certReq ?? encodeCertRequest(certReqMsg.certReq);
  }
  let key: CryptoKey;
  try {
    key = await algorithm.importPublicKey(crypto, spki, template.publicKey);
  } catch (e) {
    badPOP(`the template public key does not fit ${algorithm.name}`, e, true);
  }
  if (!(await algorithm.verify(crypto, key, pop.signature, signed))) badPOP(`${algorithm.name} signature does not verify`);
  return { method: 'signature', algorithm: algorithm.name };
}
