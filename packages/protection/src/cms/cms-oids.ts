import { oids } from '@cmpkit/codec';

/**
 * Object identifiers the CMS layer uses beyond the codec's `oids` (which holds most of them).
 * Internal; candidates for the package's `oids.ts` once it exists.
 */
export const cmsOids = Object.freeze({
  ...oids,
  /** RFC 3211 section 2.3: `id-alg-PWRI-KEK` (the KEK wrap OpenSSL uses for PasswordRecipientInfo). */
  id_alg_PWRI_KEK: '1.2.840.113549.1.9.16.3.9',
  /** SEC 1 / RFC 3278 `dhSinglePass-stdDH-sha1kdf-scheme` (OpenSSL's default for ECDH in CMS). */
  dhSinglePass_stdDH_sha1kdf_scheme: '1.3.133.16.840.63.0.2',
  /** RFC 8017 appendix A.2.1: `id-pSpecified` (OAEP label source). */
  id_pSpecified: '1.2.840.113549.1.1.9',
} as const);
