import { storedRaJobFromRow, type RaJobRow, type RaJobStore } from '@cmpkit/core';
import type { SqlConnection } from './sql-connection.js';

const INSERT = `INSERT INTO ra_jobs (ticket, request, progress, outcome, owner, lease_until, created_at, expires_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const SELECT = 'SELECT * FROM ra_jobs WHERE ticket = ?';
const PROGRESS = 'UPDATE ra_jobs SET progress = ?, lease_until = ? WHERE ticket = ? AND owner = ? AND outcome IS NULL';
const CLAIM = 'UPDATE ra_jobs SET owner = ?, lease_until = ? WHERE ticket = ? AND outcome IS NULL AND (owner = ? OR lease_until <= ?)';
const SETTLE = 'UPDATE ra_jobs SET outcome = ? WHERE ticket = ? AND owner = ? AND outcome IS NULL';
const RELEASE = 'UPDATE ra_jobs SET lease_until = 0 WHERE owner = ? AND outcome IS NULL';
const DELETE = 'DELETE FROM ra_jobs WHERE ticket = ?';
const PURGE = 'DELETE FROM ra_jobs WHERE expires_at <= ?';

/**
 * Core's {@link RaJobStore} in SQL, shared by the instances of an RA: each method one statement,
 * the lease checked in it, so a job is taken over by one instance only, and only once its lease
 * has ended.
 */
export function sqlRaJobStore(db: SqlConnection): RaJobStore {
  return {
    async create(job) {
      await db.run(INSERT, [
        job.ticket,
        job.request,
        job.progress ?? null,
        job.outcome ?? null,
        job.owner,
        job.leaseUntil,
        job.createdAt,
        job.expiresAt,
      ]);
    },
    async get(ticket) {
      const [row] = await db.all<RaJobRow>(SELECT, [ticket]);
      return row ? storedRaJobFromRow(row) : undefined;
    },
    async progress(ticket, owner, progress, leaseUntil) {
      return (await db.run(PROGRESS, [progress, leaseUntil, ticket, owner])) > 0;
    },
    async claim(ticket, owner, leaseUntil, now) {
      return (await db.run(CLAIM, [owner, leaseUntil, ticket, owner, now])) > 0;
    },
    async settle(ticket, owner, outcome) {
      return (await db.run(SETTLE, [outcome, ticket, owner])) > 0;
    },
    async release(owner) {
      await db.run(RELEASE, [owner]);
    },
    async delete(ticket) {
      await db.run(DELETE, [ticket]);
    },
    async purge(now) {
      return db.run(PURGE, [now]);
    },
  };
}
