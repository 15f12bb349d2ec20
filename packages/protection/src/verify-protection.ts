import {
  nameToString,
  oidName,
  oids,
  receivedProtectedPart,
  type AlgorithmIdentifier,
  type DecodedPKIMessage,
  type GeneralName,
} from '@cmpkit/codec';
import type { SignatureAlgorithm } from './algorithms/types.js';
import { cryptoOf } from './crypto-options.js';
import { ProtectionError } from './errors/protection-error.js';
import { equalBytes, hex } from './internal/bytes.js';
import { checkKemMac, resolveKemBasedMac } from './mac/kem-based-mac.js';
import { isPasswordBasedMacOid } from './mac/mac-protection.js';
import {
  receivedProtection,
  verifyMacOf,
  type MacTrust,
  type MacVerifiedSender,
  type VerifyMacProtectionOptions,
} from './mac/verify-mac-protection.js';
import { algorithmsOf, type TimeOptions } from './options.js';
import {
  certificateEntry,
  createCertificateCache,
  entryPublicKey,
  type CertificateCache,
  type CertificateEntry,
} from './x509/certificate-cache.js';
import { nameEqual } from './x509/name-equal.js';
import { verifyEntryPath } from './x509/verify-certificate-path.js';

/** Trust in signature-protected messages. */
export interface SignatureTrust {
  /** Trust anchors (DER). A signer certificate listed here is trusted directly (pinned). */
  anchors: readonly Uint8Array[];
  /** Extra intermediate candidates besides the message's extraCerts. */
  untrusted?: readonly Uint8Array[];
  /** The signer's certificate, when known beforehand; otherwise the first extraCerts entry. */
  signerCertificate?: Uint8Array;
  /** Extended key usages of which the signer must have one (e.g. `oids.id_kp_cmcRA`). */
  requiredExtendedKeyUsage?: readonly string[];
  /** Skip the signer's keyUsage digitalSignature check (OpenSSL's `-ignore_keyusage`). Default false. */
  ignoreKeyUsage?: boolean;
}

/**
 * Trust in KEM-based MAC protection (RFC 9810 section 5.1.3.4): the KEM shared secret of the
 * transaction, as encapsulated to (or decapsulated by) the peer, or a lookup by the message's
 * transactionID (undefined when that transaction has none).
 */
export interface KemTrust {
  sharedSecret: Uint8Array | ((transactionID: Uint8Array) => Uint8Array | undefined | Promise<Uint8Array | undefined>);
}

/**
 * What a recipient accepts. A message protected by a kind that has no entry here fails with
 * wrongIntegrity: give only `signature` to insist on signatures, only `mac` to insist on MACs.
 */
export interface ProtectionTrust {
  mac?: MacTrust;
  signature?: SignatureTrust;
  kem?: KemTrust;
}

/** Options of {@link verifyProtection}. */
export interface VerifyProtectionOptions extends VerifyMacProtectionOptions, TimeOptions {
  /** Accept SHA-1 signatures (message and certificates). Default false. */
  allowSha1?: boolean;
  /** Parsed certificates and imported keys to reuse across calls (see `createCertificateCache`). */
  cache?: CertificateCache;
}

/** A sender authenticated by a signature and a certificate path. */
export interface SignatureVerifiedSender {
  type: 'signature';
  /** The signature algorithm's name, e.g. `ecdsa-with-SHA256`. */
  algorithm: string;
  protectionAlg: AlgorithmIdentifier;
  sender: GeneralName;
  senderKID?: Uint8Array;
  /** The signer's certificate (DER). */
  certificate: Uint8Array;
  /** The verified path, signer first, anchor last. */
  path: readonly Uint8Array[];
  /** The trust anchor. */
  anchor: Uint8Array;
}

/**
 * A sender authenticated by KEM-based MAC protection: whoever holds the KEM shared secret of
 * the transaction (the owner of the KEM private key the ciphertext was encapsulated to, or the
 * party that encapsulated it).
 */
export interface KemMacVerifiedSender {
  type: 'kemMac';
  algorithm: 'KemBasedMac';
  protectionAlg: AlgorithmIdentifier;
  sender: GeneralName;
  senderKID?: Uint8Array;
}

/** Who protected a message, as established by {@link verifyProtection}. */
export type VerifiedSender = MacVerifiedSender | SignatureVerifiedSender | KemMacVerifiedSender;

function fail(failInfo: 'badMessageCheck' | 'badAlg' | 'wrongIntegrity' | 'signerNotTrusted', message: string, cause?: unknown): never {
  throw new ProtectionError(failInfo, message, cause);
}

function algName(identifier: AlgorithmIdentifier): string {
  return oidName(identifier.algorithm) ?? identifier.algorithm;
}

async function verifyKemMac(
  message: DecodedPKIMessage,
  trust: KemTrust,
  options: VerifyProtectionOptions,
  protectionAlg: AlgorithmIdentifier,
  protection: Uint8Array,
): Promise<KemMacVerifiedSender> {
  const crypto = cryptoOf(options);
  const resolved = resolveKemBasedMac(protectionAlg, algorithmsOf(options));
  const { transactionID, senderKID } = message.header;
  if (!transactionID) fail('badMessageCheck', 'KEM-based MAC protection without a transactionID');
  const secret = typeof trust.sharedSecret === 'function' ? await trust.sharedSecret(transactionID) : trust.sharedSecret;
  if (secret === undefined) fail('signerNotTrusted', `no KEM shared secret for transaction ${hex(transactionID)}`);
  if (!(await checkKemMac(crypto, resolved, secret, transactionID, receivedProtectedPart(message), protection))) {
    fail('badMessageCheck', 'KEM-based MAC protection does not verify');
  }
  const verified: KemMacVerifiedSender = { type: 'kemMac', algorithm: 'KemBasedMac', protectionAlg, sender: message.header.sender };
  if (senderKID) verified.senderKID = senderKID;
  return verified;
}

async function verifySignature(
  message: DecodedPKIMessage,
  trust: SignatureTrust,
  options: VerifyProtectionOptions,
  algorithm: SignatureAlgorithm,
  protectionAlg: AlgorithmIdentifier,
  protection: Uint8Array,
): Promise<SignatureVerifiedSender> {
  const crypto = cryptoOf(options);
  if (algorithm.weak && !options.allowSha1) fail('badAlg', `${algorithm.name} is not accepted (allowSha1 is off)`);
  const signerDer = trust.signerCertificate ?? message.extraCerts?.[0]?.der;
  if (!signerDer) fail('signerNotTrusted', 'no signer certificate: extraCerts is empty and none is configured');
  const cache = options.cache ?? createCertificateCache({ maxEntries: 64 });
  let entry: CertificateEntry;
  try {
    entry = certificateEntry(cache, signerDer);
  } catch (e) {
    fail('signerNotTrusted', 'the signer certificate cannot be parsed', e);
  }
  const signer = entry.parsed;
  const { sender, senderKID } = message.header;
  if (sender.type !== 'directoryName' || !nameEqual(sender.value, signer.subject)) {
    fail('badMessageCheck', `header.sender is not the signer certificate's subject "${nameToString(signer.subject)}"`);
  }
  if (senderKID && signer.subjectKeyIdentifier && !equalBytes(senderKID, signer.subjectKeyIdentifier)) {
    fail('badMessageCheck', `senderKID ${hex(senderKID)} is not the signer's SubjectKeyIdentifier ${hex(signer.subjectKeyIdentifier)}`);
  }
  const key = await entryPublicKey(entry, algorithm, crypto);
  if (!(await algorithm.verify(crypto, key, protection, receivedProtectedPart(message)))) {
    fail('badMessageCheck', `${algorithm.name} signature does not verify`);
  }
  const untrusted = [
    ...(message.extraCerts ?? []).map((c) => c.der).filter((der) => der !== signerDer && !equalBytes(der, signerDer)),
    ...(trust.untrusted ?? []),
  ];
  const path = await verifyEntryPath(
    entry,
    {
      ...options,
      anchors: trust.anchors,
      untrusted,
      requiredKeyUsage: trust.ignoreKeyUsage ? [] : ['digitalSignature'],
      ...(trust.requiredExtendedKeyUsage ? { requiredExtendedKeyUsage: trust.requiredExtendedKeyUsage } : {}),
    },
    cache,
  );
  const verified: SignatureVerifiedSender = {
    type: 'signature',
    algorithm: algorithm.name,
    protectionAlg,
    sender,
    certificate: signerDer,
    path: path.certificates.map((c) => c.der),
    anchor: path.anchor.der,
  };
  if (senderKID) verified.senderKID = senderKID;
  return verified;
}

/**
 * Verifies the protection of a received message over the exact bytes it arrived with (the
 * ProtectedPart built from `raw.header` and `raw.body`; nothing is re-encoded).
 *
 * Checks, in order: protection present (badMessageCheck); the algorithm is known (badAlg); the
 * kind (MAC or signature) is one `trust` accepts (wrongIntegrity); the parameters are allowed,
 * including MAC bounds, before any key derivation (badAlg); for MACs the expected senderKID
 * (badMessageCheck), then the MAC (badMessageCheck; a senderKID without a secret fails the same
 * way, after the same derivation with a random secret, so a peer cannot probe for references);
 * for signatures a signer certificate (first extraCerts entry or
 * configured; none or an unparsable one is signerNotTrusted) that matches header.sender and
 * senderKID (badMessageCheck: RFC 9483 section 3.5 calls a header that does not fit its protection
 * an integrity failure), the signature (badMessageCheck), then the certificate path to the anchors
 * with validity, keyUsage digitalSignature and any required extended key usage (signerNotTrusted).
 *
 * @throws ProtectionError with the failInfo named above.
 */
export async function verifyProtection(
  message: DecodedPKIMessage,
  trust: ProtectionTrust,
  options: VerifyProtectionOptions = {},
): Promise<VerifiedSender> {
  const { protectionAlg, protection } = receivedProtection(message);
  const oid = protectionAlg.algorithm;
  if (isPasswordBasedMacOid(oid)) {
    if (!trust.mac) fail('wrongIntegrity', `MAC protection (${algName(protectionAlg)}) where a signature is required`);
    return verifyMacOf(message, trust.mac, options, protectionAlg, protection);
  }
  if (oid === oids.id_KemBasedMac) {
    if (!trust.kem)
      fail('wrongIntegrity', `KEM-based MAC protection where ${trust.mac ? 'a shared-secret MAC' : 'a signature'} is required`);
    return verifyKemMac(message, trust.kem, options, protectionAlg, protection);
  }
  if (oid === oids.id_DHBasedMac) {
    if (!trust.mac) fail('wrongIntegrity', `MAC protection (${algName(protectionAlg)}) where a signature is required`);
    fail('badAlg', `${algName(protectionAlg)} is not supported`);
  }
  // An OID no provider knows is badAlg; a known signature algorithm without signature trust is wrongIntegrity.
  const algorithm = algorithmsOf(options).signature(protectionAlg);
  if (!trust.signature) fail('wrongIntegrity', `signature protection (${algorithm.name}) where a MAC is required`);
  return verifySignature(message, trust.signature, options, algorithm, protectionAlg, protection);
}
