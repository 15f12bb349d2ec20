import { storedRaJobFromRow, type RaJobRow, type RaJobStore } from '@cmpkit/core';
import type { PostgresPool } from './postgres.js';

/**
 * Core's {@link RaJobStore} on PostgreSQL, shared by the instances of an RA: each method one
 * statement, so a job is taken over by one instance only, and only once its lease has ended.
 */
export function postgresRaJobStore(pool: PostgresPool): RaJobStore {
  const changed = (result: { rowCount: number | null }): boolean => (result.rowCount ?? 0) > 0;
  return {
    async create(job) {
      await pool.query(
        `INSERT INTO ra_jobs (ticket, request, progress, outcome, owner, lease_until, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [job.ticket, job.request, job.progress ?? null, job.outcome ?? null, job.owner, job.leaseUntil, job.createdAt, job.expiresAt],
      );
    },
    async get(ticket) {
      const { rows } = await pool.query<RaJobRow>('SELECT * FROM ra_jobs WHERE ticket = $1', [ticket]);
      return rows[0] ? storedRaJobFromRow(rows[0]) : undefined;
    },
    async progress(ticket, owner, progress, leaseUntil) {
      return changed(
        await pool.query('UPDATE ra_jobs SET progress = $1, lease_until = $2 WHERE ticket = $3 AND owner = $4 AND outcome IS NULL', [
          progress,
          leaseUntil,
          ticket,
          owner,
        ]),
      );
    },
    async claim(ticket, owner, leaseUntil, now) {
      return changed(
        await pool.query(
          'UPDATE ra_jobs SET owner = $1, lease_until = $2 WHERE ticket = $3 AND outcome IS NULL AND (owner = $1 OR lease_until <= $4)',
          [owner, leaseUntil, ticket, now],
        ),
      );
    },
    async settle(ticket, owner, outcome) {
      return changed(
        await pool.query('UPDATE ra_jobs SET outcome = $1 WHERE ticket = $2 AND owner = $3 AND outcome IS NULL', [outcome, ticket, owner]),
      );
    },
    async release(owner) {
      await pool.query('UPDATE ra_jobs SET lease_until = 0 WHERE owner = $1 AND outcome IS NULL', [owner]);
    },
    async delete(ticket) {
      await pool.query('DELETE FROM ra_jobs WHERE ticket = $1', [ticket]);
    },
    async purge(now) {
      return (await pool.query('DELETE FROM ra_jobs WHERE expires_at <= $1', [now])).rowCount ?? 0;
    },
  };
}
