import type { RevokedEntry } from '@cmpkit/issuer';
import { dateOf, numberOf, optional } from './columns.js';

/** The revoked certificates, oldest revocation first: what a CRL lists. */
export const REVOKED =
  "SELECT serial, revoked_at, revocation_reason FROM certificates WHERE status = 'revoked' ORDER BY revoked_at, serial";

/** A row of {@link REVOKED}. */
export interface RevokedRow {
  serial: string;
  revoked_at: unknown;
  revocation_reason: unknown;
}

/** A row of {@link REVOKED} as a CRL entry. */
export function revokedEntryOf(row: RevokedRow): RevokedEntry {
  return { serial: row.serial, revokedAt: dateOf(row.revoked_at), ...optional('revocationReason', row.revocation_reason, numberOf) };
}
