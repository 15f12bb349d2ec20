import { withStoreErrors } from '@cmpkit/core';
import type { ServerStore } from './server-store.js';

/**
 * Every repository of a {@link ServerStore}; the type makes a new one impossible to forget here.
 * (The announcement wake-ups are a subscription, not a repository: they pass unchanged.)
 */
const REPOSITORIES: Record<Exclude<keyof ServerStore, 'migration' | 'flush' | 'writeMark' | 'close' | 'announcementWakeups'>, true> = {
  transactions: true,
  nonces: true,
  secrets: true,
  certificates: true,
  pending: true,
  crls: true,
  rootCaUpdates: true,
  announcements: true,
  pushSubscribers: true,
  renewalDeadlines: true,
  raJobs: true,
};

/**
 * The same store with every driver failure of its repositories and of `flush` turned into
 * core's `StoreError` (systemFailure, "try again later" on the wire; the driver error as cause,
 * for the log). Store implementations return their store through it; other members (a
 * `db` or `pool` handle, `close`) pass unchanged.
 */
export function withServerStoreErrors<T extends ServerStore>(store: T): T {
  const guarded: T = { ...store };
  for (const key of Object.keys(REPOSITORIES) as (keyof typeof REPOSITORIES)[]) {
    Object.assign(guarded, { [key]: withStoreErrors(store[key], key) });
  }
  const durability = withStoreErrors({ flush: store.flush, writeMark: store.writeMark }, 'store');
  guarded.flush = durability.flush;
  guarded.writeMark = durability.writeMark;
  return guarded;
}
