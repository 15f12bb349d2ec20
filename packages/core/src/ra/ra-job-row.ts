import type { StoredRaJob } from './ra-job-store.js';

/**
 * One row of an SQL table of RA jobs, as a database driver returns it: snake_case columns, NULL
 * for what is not there yet, and integers that some drivers hand over as text (PostgreSQL's BIGINT) or as bigints (better-sqlite3
 * reading safe integers).
 */
export interface RaJobRow {
  ticket: string;
  request: string;
  progress: string | null;
  outcome: string | null;
  owner: string;
  lease_until: number | string | bigint;
  created_at: number | string | bigint;
  expires_at: number | string | bigint;
}

/** The {@link StoredRaJob} of a {@link RaJobRow}: for the SQL implementations of `RaJobStore`. */
export function storedRaJobFromRow(row: RaJobRow): StoredRaJob {
  return {
    ticket: row.ticket,
    request: row.request,
    ...(row.progress === null ? {} : { progress: row.progress }),
    ...(row.outcome === null ? {} : { outcome: row.outcome }),
    owner: row.owner,
    leaseUntil: Number(row.lease_until),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}
