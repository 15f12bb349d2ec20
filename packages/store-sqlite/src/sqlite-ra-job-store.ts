import { storedRaJobFromRow, type RaJobRow, type RaJobStore } from '@cmpkit/core';
import type { SqliteDatabase } from './sqlite.js';

/** Core's {@link RaJobStore} on SQLite: each method one statement, the lease checked in the statement. */
export function sqliteRaJobStore(db: SqliteDatabase): RaJobStore {
  const insert = db.prepare(
    `INSERT INTO ra_jobs (ticket, request, progress, outcome, owner, lease_until, created_at, expires_at)
     VALUES (@ticket, @request, @progress, @outcome, @owner, @leaseUntil, @createdAt, @expiresAt)`,
  );
  const select = db.prepare<[string], RaJobRow>('SELECT * FROM ra_jobs WHERE ticket = ?');
  const progress = db.prepare('UPDATE ra_jobs SET progress = ?, lease_until = ? WHERE ticket = ? AND owner = ? AND outcome IS NULL');
  const claim = db.prepare(
    'UPDATE ra_jobs SET owner = ?, lease_until = ? WHERE ticket = ? AND outcome IS NULL AND (owner = ? OR lease_until <= ?)',
  );
  const settle = db.prepare('UPDATE ra_jobs SET outcome = ? WHERE ticket = ? AND owner = ? AND outcome IS NULL');
  const release = db.prepare('UPDATE ra_jobs SET lease_until = 0 WHERE owner = ? AND outcome IS NULL');
  const remove = db.prepare('DELETE FROM ra_jobs WHERE ticket = ?');
  const purge = db.prepare('DELETE FROM ra_jobs WHERE expires_at <= ?');
  return {
    async create(job) {
      insert.run({ ...job, progress: job.progress ?? null, outcome: job.outcome ?? null });
    },
    async get(ticket) {
      const row = select.get(ticket);
      return row ? storedRaJobFromRow(row) : undefined;
    },
    async progress(ticket, owner, text, leaseUntil) {
      return progress.run(text, leaseUntil, ticket, owner).changes > 0;
    },
    async claim(ticket, owner, leaseUntil, now) {
      return claim.run(owner, leaseUntil, ticket, owner, now).changes > 0;
    },
    async settle(ticket, owner, outcome) {
      return settle.run(outcome, ticket, owner).changes > 0;
    },
    async release(owner) {
      release.run(owner);
    },
    async delete(ticket) {
      remove.run(ticket);
    },
    async purge(now) {
      return purge.run(now).changes;
    },
  };
}
