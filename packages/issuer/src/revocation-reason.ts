import type { RevocationReason } from '@cmpkit/ca';

/** CRLReason names by code, RFC 5280 section 5.3.1 (7 is unused). */
const REASONS: Record<number, RevocationReason> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** The CRLReason code of a revoked certificate the EE rejected in certConf (or never confirmed). */
export const UNCONFIRMED_REASON = 5; // cessationOfOperation

/** The CRLReason of a duplicate issued for a waiting request another server instance issued for too. */
export const DUPLICATE_REASON = 4; // superseded

/** The name of a CRLReason code, or undefined for codes that do not exist. */
export function reasonName(code: number): RevocationReason | undefined {
  return REASONS[code];
}

/** Whether a revocation may carry this code: a CRLReason other than removeFromCRL (delta CRLs only). */
export function isRevocationReason(code: number): boolean {
  return Number.isInteger(code) && code in REASONS && code !== 8;
}

/** Reads a reason as a code (`1`) or a name (`keyCompromise`); undefined when it is neither. */
export function parseReason(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const entry = Object.entries(REASONS).find(([, name]) => name.toLowerCase() === text.toLowerCase());
  return entry ? Number(entry[0]) : undefined;
}
