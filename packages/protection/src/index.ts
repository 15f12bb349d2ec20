/**
 * @packageDocumentation
 * `@cmpkit/protection`: everything that makes a CMP message trustworthy.
 */
export { cryptoOf } from './crypto-options.js';
export type { CryptoOptions } from './crypto-options.js';
export { ProtectionError } from './errors/protection-error.js';

// --- Message protection, signatures, proof-of-possession, certHash, path checks ---------------
// RFC 9810 section 5.1.3, RFC 9481, RFC 4211 section 4.
export { protect } from './protect.js';
export type { ProtectOptions } from './protect.js';
export { verifyProtection } from './verify-protection.js';
export type {
  KemMacVerifiedSender,
  KemTrust,
  ProtectionTrust,
  SignatureTrust,
  SignatureVerifiedSender,
  VerifiedSender,
  VerifyProtectionOptions,
} from './verify-protection.js';
// MAC only: what protect and verifyProtection do with shared secrets, without the certificate and
// signature code (a MAC-only application bundles neither).
export { protectWithMac } from './mac/protect-with-mac.js';
export type { ProtectWithMacOptions } from './mac/protect-with-mac.js';
export { verifyMacProtection } from './mac/verify-mac-protection.js';
export type { MacTrust, MacVerifiedSender, SecretSource, VerifyMacProtectionOptions } from './mac/verify-mac-protection.js';
export type { KemMacCredential, MacCredential, ProtectionCredential, SignatureCredential } from './credentials.js';
export type { KemKdfName, KemMacChoice, KemMacName } from './mac/kem-based-mac.js';
export { KEM_STATIC_STRING } from './mac/kem-based-mac.js';
export { decapsulate, encapsulate, ML_KEM_OIDS } from './kem/ml-kem.js';
export type { KemEncapsulation, MlKemName } from './kem/ml-kem.js';
export type { AlgorithmOptions, TimeOptions } from './options.js';
export { DEFAULT_PASSWORD_BASED_MAC_BOUNDS, DEFAULT_PBMAC1_BOUNDS } from './mac/mac-bounds.js';
export type { MacBounds, MacBoundsOverrides } from './mac/mac-bounds.js';
export type { MacChoice, MacKeyOptions } from './mac/mac-protection.js';
export { createMacKeyCache } from './mac/mac-key-cache.js';
export type { MacKeyCache, MacKeyCacheInit } from './mac/mac-key-cache.js';
export { inlineKeyDeriver } from './kdf/inline-key-deriver.js';
export type { DerivationHash, KeyDerivationOptions, PasswordDerivation, PasswordKeyDeriver } from './kdf/password-key-deriver.js';
export type { PasswordBasedMacChoice } from './mac/password-based-mac.js';
export type { Pbmac1Choice } from './mac/pbmac1.js';
export { createAlgorithmRegistry } from './algorithms/registry.js';
export type { AlgorithmRegistry } from './algorithms/registry.js';
export { defaultAlgorithmProviders, defaultAlgorithms } from './algorithms/default-algorithms.js';
export { sha1Digest, sha2Digests, shake256Digest, syncDigestProvider } from './algorithms/digests.js';
export type { SyncHash } from './algorithms/digests.js';
export { hmacSha1, hmacSha2 } from './algorithms/hmac.js';
export { rsaPkcs1Signatures } from './algorithms/rsa-pkcs1.js';
export { rsaPssSignatures } from './algorithms/rsa-pss.js';
export { ecdsaSignatures } from './algorithms/ecdsa.js';
export { eddsaSignatures } from './algorithms/eddsa.js';
export { mlDsaSignatures, ML_DSA_OIDS } from './algorithms/ml-dsa.js';
export type { MlDsaName } from './algorithms/ml-dsa.js';
export type {
  AlgorithmProvider,
  DigestAlgorithm,
  HashName,
  MacAlgorithm,
  Sha2Name,
  SignatureAlgorithm,
  SignatureKeyOptions,
} from './algorithms/types.js';
export { importPrivateKey } from './keys/import-private-key.js';
export type { ImportPrivateKeyOptions, KeyObjectLike, PrivateKeyInput } from './keys/import-private-key.js';
export { parseCertificate, subjectKeyIdentifierOf } from './x509/certificate.js';
export type { KeyUsageName, ParsedCertificate } from './x509/certificate.js';
export { nameEqual } from './x509/name-equal.js';
export { createCertificateCache } from './x509/certificate-cache.js';
export type { CertificateCache, CertificateCacheInit } from './x509/certificate-cache.js';
export { verifyCertificatePath } from './x509/verify-certificate-path.js';
export type { CertificatePath, CertificatePathOptions } from './x509/verify-certificate-path.js';
export { createPOPOSigningKey } from './pop/create-popo-signing-key.js';
export type { CreatePOPOptions } from './pop/create-popo-signing-key.js';
export { verifyPOP } from './pop/verify-pop.js';
export type { POPVerification, VerifyPOPOptions } from './pop/verify-pop.js';
export { computeCertHash, verifyCertHash } from './cert-hash.js';
export type { CertHash, CertHashOptions } from './cert-hash.js';

// CMS: central key generation, encrypted certificates, POP challenges (RFC 9483 4.1.6, RFC 9810 5.2.2, 5.2.8.3)
export { createEnvelopedData, openEnvelopedData } from './cms/enveloped-data.js';
export type { CreateEnvelopedDataOptions, EnvelopedContent, EnvelopeOptions, OpenEnvelopeOptions } from './cms/enveloped-data.js';
export { envelopePrivateKey, openEnvelopedPrivateKey } from './cms/private-key-envelope.js';
export type {
  EnvelopedEncryptedKey,
  EnvelopePrivateKeyOptions,
  OpenedPrivateKey,
  OpenPrivateKeyOptions,
} from './cms/private-key-envelope.js';
export { encryptCertificate, openEncryptedCertificate } from './cms/encrypted-certificate.js';
export { decryptEncryptedValue } from './cms/encrypted-value.js';
export { createPopChallenge, decryptPopChallenge } from './cms/pop-challenge.js';
export type { CreatePopChallengeOptions, DecryptPopChallengeOptions } from './cms/pop-challenge.js';
export type {
  CmsDecryptionKey,
  CmsRecipient,
  KeyAgreeRecipient,
  KemRecipient,
  KeyTransRecipient,
  PasswordRecipient,
  RecipientIdentifierType,
} from './cms/cms-recipient.js';
export type { CmsSigner } from './cms/cms-signer.js';
export type { ContentEncryptionAlgorithm, HashName as CmsHashName } from './cms/algorithms.js';

// PKCS #10 (p10cr)
export { verifyCertificationRequest } from './pkcs10/verify-certification-request.js';
export type { VerifiedCertificationRequest } from './pkcs10/verify-certification-request.js';
