import { encodeProtectedPart, type CMPCertificate, type PKIHeader, type PKIMessage } from '@cmpkit/codec';
import { cryptoOf } from './crypto-options.js';
import { isKemMacCredential, isMacCredential, type ProtectionCredential } from './credentials.js';
import { computeKemMac, kemBasedMacIdentifier, resolveKemBasedMac } from './mac/kem-based-mac.js';
import { ProtectionError } from './errors/protection-error.js';
import { bytesOf, equalBytes } from './internal/bytes.js';
import { withProtection } from './internal/protected-message.js';
import { protectWithMac, type ProtectWithMacOptions } from './mac/protect-with-mac.js';
import { algorithmsOf } from './options.js';
import { subjectKeyIdentifierOf } from './x509/certificate.js';
import { certificateEntry, type CertificateCache } from './x509/certificate-cache.js';

/** Options of {@link protect}. */
export interface ProtectOptions extends ProtectWithMacOptions {
  /** A certificate cache, to read the signer certificate's SubjectKeyIdentifier once. */
  cache?: CertificateCache;
}

function withCertificates(existing: readonly CMPCertificate[] | undefined, first: readonly Uint8Array[]): CMPCertificate[] {
  const out: CMPCertificate[] = [];
  for (const der of [...first, ...(existing ?? []).map((c) => c.der)]) {
    if (!out.some((c) => equalBytes(c.der, der))) out.push({ der });
  }
  return out;
}

/**
 * Protects a message (RFC 9810 section 5.1.3): sets `header.protectionAlg` and `header.senderKID`,
 * computes the MAC or signature over the DER of ProtectedPart and returns a new message with
 * `protection` set. The input is not modified.
 *
 * - MAC credential: PBMAC1 (default) or PasswordBasedMac; senderKID is the credential's
 *   reference; extraCerts are left as they are (see {@link protectWithMac}, which an application
 *   using shared secrets only can call instead to leave the signature code out of its bundle).
 * - KEM-based MAC credential (RFC 9810 section 5.1.3.4): id-KemBasedMac with KemBMParameter
 *   (HKDF-SHA256, 32, HMAC-SHA256 by default); the key is derived from the KEM shared secret with
 *   KemOtherInfo over the header's transactionID.
 * - Signature credential: the algorithm follows the key (RSA keys carry their hash, ECDSA takes
 *   `credential.hash` or the curve's); senderKID becomes the certificate's SubjectKeyIdentifier
 *   when it has one (otherwise the header's value is kept); extraCerts become the certificate,
 *   then the chain, then the extraCerts already present, without duplicates.
 *
 * `header.sender` is not changed: for signatures it must be the certificate's subject, which
 * `verifyProtection` checks.
 *
 * @throws ProtectionError badAlg for a key or MAC choice that cannot be used.
 */
export async function protect(message: PKIMessage, credential: ProtectionCredential, options: ProtectOptions = {}): Promise<PKIMessage> {
  if (isMacCredential(credential)) return protectWithMac(message, credential, options);
  const crypto = cryptoOf(options);
  const registry = algorithmsOf(options);
  if (isKemMacCredential(credential)) {
    const protectionAlg = kemBasedMacIdentifier(credential.kemMac);
    const resolved = resolveKemBasedMac(protectionAlg, registry);
    const header: PKIHeader = { ...message.header, protectionAlg };
    if (credential.senderKID !== undefined) header.senderKID = bytesOf(credential.senderKID);
    if (!header.transactionID) throw new ProtectionError('badAlg', 'protect: KEM-based MAC needs the transactionID it is bound to');
    const data = encodeProtectedPart({ header, body: message.body });
    const protection = await computeKemMac(crypto, resolved, credential.kemSharedSecret, header.transactionID, data);
    return withProtection(message, header, protection, message.extraCerts);
  }
  if (credential.privateKey.type !== 'private')
    throw new ProtectionError('badAlg', 'protect: the signature credential needs a private key');
  const algorithm = registry.signatureForKey(credential.privateKey, credential.hash ? { hash: credential.hash } : {});
  const ski = options.cache
    ? certificateEntry(options.cache, credential.certificate).parsed.subjectKeyIdentifier
    : subjectKeyIdentifierOf(credential.certificate);
  const header: PKIHeader = { ...message.header, protectionAlg: algorithm.identifier };
  if (ski) header.senderKID = ski;
  const protection = await algorithm.sign(crypto, credential.privateKey, encodeProtectedPart({ header, body: message.body }));
  return withProtection(
    message,
    header,
    protection,
    withCertificates(message.extraCerts, [credential.certificate, ...(credential.chain ?? [])]),
  );
}
