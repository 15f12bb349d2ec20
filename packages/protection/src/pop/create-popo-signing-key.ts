import {
  encodeCertRequest,
  encodePOPOSigningKeyInput,
  encodeSubjectPublicKeyInfo,
  type CertRequest,
  type GeneralName,
  type POPOSigningKey,
  type POPOSigningKeyInput,
} from '@cmpkit/codec';
import type { Sha2Name } from '../algorithms/types.js';
import { cryptoOf } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { bytesOf } from '../internal/bytes.js';
import type { MacBoundsOverrides } from '../mac/mac-bounds.js';
import { computeMac, macIdentifier, resolveMacProtection, type MacChoice } from '../mac/mac-protection.js';
import { algorithmsOf, type AlgorithmOptions } from '../options.js';
import type { KeyDerivationOptions } from '../kdf/password-key-deriver.js';

/** Options of {@link createPOPOSigningKey}. */
export interface CreatePOPOptions extends AlgorithmOptions, KeyDerivationOptions {
  /** The hash for ECDSA keys. Default: by curve. */
  hash?: Sha2Name;
  /**
   * Sign a POPOSigningKeyInput instead of the CertRequest (RFC 4211 section 4.1 cases 1 and 2),
   * authenticated by the requester's `sender` name or by a `publicKeyMAC` over the public key
   * with a shared secret. Required when the template lacks subject or publicKey.
   */
  poposkInput?: { sender: GeneralName } | { publicKeyMAC: { secret: Uint8Array | string; mac?: MacChoice } };
  /** Bounds for the publicKeyMAC parameters. */
  macBounds?: MacBoundsOverrides;
}

/**
 * Proof of possession of a signing key (RFC 4211 section 4.1): a POPOSigningKey whose signature
 * is over the DER of `certRequest` (the template has subject and publicKey), or over a
 * POPOSigningKeyInput when `options.poposkInput` is given. Wrap it as
 * `{ type: 'signature', value }` for `CertReqMsg.popo`. The request must not change afterwards.
 *
 * @throws ProtectionError badPOP when the template does not allow the chosen form, badAlg for an unusable key.
 */
export async function createPOPOSigningKey(
  certRequest: CertRequest,
  privateKey: CryptoKey,
  options: CreatePOPOptions = {},
): Promise<POPOSigningKey> {
  const crypto = cryptoOf(options);
  const registry = algorithmsOf(options);
  const algorithm = registry.signatureForKey(privateKey, options.hash ? { hash: options.hash } : {});
  const template = certRequest.certTemplate;
  const choice = options.poposkInput;
  if (!choice) {
    if (!template.subject || !template.publicKey) {
      throw new ProtectionError(
        'badPOP',
        'POP: the template lacks subject or publicKey, so poposkInput is required (RFC 4211 section 4.1)',
      );
    }
    const signature = await algorithm.sign(crypto, privateKey, encodeCertRequest(certRequest));
    return { algorithmIdentifier: algorithm.identifier, signature };
  }
  if (!template.publicKey) throw new ProtectionError('badPOP', 'POP: poposkInput needs the template publicKey');
  let authInfo: POPOSigningKeyInput['authInfo'];
  if ('sender' in choice) {
    authInfo = { type: 'sender', value: choice.sender };
  } else {
    const algId = macIdentifier(choice.publicKeyMAC.mac, crypto);
    const resolved = resolveMacProtection(algId, registry, options.macBounds);
    const value = await computeMac(
      crypto,
      resolved,
      bytesOf(choice.publicKeyMAC.secret),
      encodeSubjectPublicKeyInfo(template.publicKey),
      options,
    );
    authInfo = { type: 'publicKeyMAC', value: { algId, value } };
  }
  const poposkInput: POPOSigningKeyInput = { authInfo, publicKey: template.publicKey };
  const signature = await algorithm.sign(crypto, privateKey, encodePOPOSigningKeyInput(poposkInput));
  return { poposkInput, algorithmIdentifier: algorithm.identifier, signature };
}
