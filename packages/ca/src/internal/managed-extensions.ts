import { oids } from '@cmpkit/codec';

/**
 * Extensions the CA writes itself, from the profile and the key: a template may carry some of
 * them (subjectAltName, keyUsage, extKeyUsage, basicConstraints are read as requests), but none is
 * ever copied as is.
 */
export const CA_MANAGED_EXTENSIONS: ReadonlySet<string> = new Set([
  oids.id_ce_basicConstraints,
  oids.id_ce_keyUsage,
  oids.id_ce_extKeyUsage,
  oids.id_ce_subjectAltName,
  oids.id_ce_subjectKeyIdentifier,
  oids.id_ce_authorityKeyIdentifier,
  oids.id_ce_cRLDistributionPoints,
  oids.id_pe_authorityInfoAccess,
]);
