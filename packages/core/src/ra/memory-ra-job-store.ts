import type { RaJobStore, StoredRaJob } from './ra-job-store.js';

/** Delayed-delivery jobs in memory: a registration authority without a store (an RA restart loses them). */
export function memoryRaJobStore(): RaJobStore {
  const jobs = new Map<string, StoredRaJob>();
  const held = (ticket: string, owner: string): StoredRaJob | undefined => {
    const job = jobs.get(ticket);
    return job && job.owner === owner && job.outcome === undefined ? job : undefined;
  };
  return {
    async create(job) {
      jobs.set(job.ticket, { ...job });
    },
    async get(ticket) {
      const job = jobs.get(ticket);
      return job ? { ...job } : undefined;
    },
    async progress(ticket, owner, progress, leaseUntil) {
      const job = held(ticket, owner);
      if (!job) return false;
      Object.assign(job, { progress, leaseUntil });
      return true;
    },
    async claim(ticket, owner, leaseUntil, now) {
      const job = jobs.get(ticket);
      if (!job || job.outcome !== undefined || (job.owner !== owner && job.leaseUntil > now)) return false;
      Object.assign(job, { owner, leaseUntil });
      return true;
    },
    async settle(ticket, owner, outcome) {
      const job = held(ticket, owner);
      if (!job) return false;
      job.outcome = outcome;
      return true;
    },
    async release(owner) {
      for (const job of jobs.values()) if (job.owner === owner) job.leaseUntil = 0;
    },
    async delete(ticket) {
      jobs.delete(ticket);
    },
    async purge(now) {
      let n = 0;
      for (const [ticket, job] of jobs) {
        if (job.expiresAt <= now) {
          jobs.delete(ticket);
          n++;
        }
      }
      return n;
    },
  };
}
