import { keySpecOf } from '@cmpkit/ca';
import type { CertReqTemplateContent } from '@cmpkit/codec';
import type { ServerProfile } from './server-profile.js';

/**
 * The genm certReqTemplate answer for a profile (RFC 9810 section 5.3.19.16, RFC 9483 section
 * 4.3.3): the fixed subject parts in certTemplate (never a publicKey), and the profile's key
 * algorithms as keySpec controls (rsaKeyLen for RSA, algId for the others).
 */
export function certReqTemplateOf(entry: ServerProfile): CertReqTemplateContent {
  const keySpec = keySpecOf(entry.profile);
  return {
    certTemplate: entry.subjectTemplate && entry.subjectTemplate.length > 0 ? { subject: entry.subjectTemplate } : {},
    ...(keySpec.length > 0 ? { keySpec } : {}),
  };
}
