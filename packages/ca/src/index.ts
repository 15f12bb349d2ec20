/**
 * @packageDocumentation
 * `@cmpkit/ca`: a reusable issuing certificate authority for CMP servers. It turns CRMF
 * CertTemplates into X.509 v3 certificates within certificate profiles, signs CRLs, and makes
 * root and subordinate CAs and the link certificates of a root CA key update, all on an injected
 * WebCrypto.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, createSelfSignedCa, createSubordinateCa, profiles } from '@cmpkit/ca';
 * import { parseName } from '@cmpkit/codec';
 *
 * const root = await createSelfSignedCa({ subject: '/O=Example/CN=Example Root CA' });
 * const issuing = await createSubordinateCa(createCertificateAuthority(root), { subject: '/O=Example/CN=Example Issuing CA' });
 * const ca = createCertificateAuthority(issuing);
 *
 * const { certificate, serialNumber } = await ca.issue({
 *   template: { subject: parseName('/CN=device-0001'), publicKey }, // publicKey: a SubjectPublicKeyInfo
 *   profile: profiles.device,
 * });
 * const crl = await ca.createCrl({
 *   entries: [{ serialNumber, revocationDate: new Date(), reason: 'keyCompromise' }],
 *   nextUpdate: new Date(Date.now() + 7 * 86_400_000),
 *   crlNumber: 1n,
 * });
 * ```
 */
export { createCertificateAuthority } from './certificate-authority.js';
export type { CertificateAuthority, CertificateAuthorityInit, IssuedCertificate, IssueRequest } from './certificate-authority.js';
export type { CreateCrlOptions, CrlEntry, RevocationReason } from './crl-options.js';
export { IssuanceError } from './errors/issuance-error.js';
export type { KeyIdentifierMethod } from './key-identifier-method.js';
export { parseIpAddress } from './ip-address.js';
export { defineProfile, SUBJECT_ALT_NAME_TYPES } from './profile/certificate-profile.js';
export type {
  CertificateProfile,
  CertificateProfileInit,
  KeyAlgorithm,
  KeyUsageName,
  ProfileAuthorityInfoAccess,
  ProfileBasicConstraints,
  SubjectAltNameType,
} from './profile/certificate-profile.js';
export { keyPairTypesOf, keySpecOf } from './profile/key-pair-types.js';
export type { KeyPairUsage } from './profile/key-pair-types.js';
export { profiles } from './profile/profiles.js';
export { createCrossCertificates } from './setup/cross-certificates.js';
export type { CaCredentials, CrossCertificateOptions, CrossCertificates } from './setup/cross-certificates.js';
export type { CaKeyOptions, GeneratedCa } from './setup/generated-ca.js';
export { createSelfSignedCa } from './setup/self-signed-ca.js';
export type { SelfSignedCaOptions } from './setup/self-signed-ca.js';
export { createSubordinateCa } from './setup/subordinate-ca.js';
export type { SubordinateCaOptions } from './setup/subordinate-ca.js';
