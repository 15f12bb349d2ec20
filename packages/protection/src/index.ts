/**
 * @packageDocumentation
 * `@cmpkit/protection`: everything that makes a CMP message trustworthy.
 */
export { cryptoOf } from './crypto-options.js';
export type { CryptoOptions } from './crypto-options.js';
export { ProtectionError } from './errors/protection-error.js';

// CMS: central key generation, encrypted certificates, POP challenges (RFC 9483 4.1.6, RFC 9810 5.2.2, 5.2.8.3)
export { createEnvelopedData, openEnvelopedData } from './cms/enveloped-data.js';
export type {
  CreateEnvelopedDataOptions,
  EnvelopedContent,
  EnvelopeOptions,
  OpenEnvelopeOptions,
} from './cms/enveloped-data.js';
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
  KeyTransRecipient,
  PasswordRecipient,
  RecipientIdentifierType,
} from './cms/cms-recipient.js';
export type { CmsSigner } from './cms/cms-signer.js';
export type { ContentEncryptionAlgorithm, HashName as CmsHashName } from './cms/algorithms.js';
