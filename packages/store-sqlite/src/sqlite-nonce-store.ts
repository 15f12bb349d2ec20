import type { NonceStore } from '@cmpkit/core';
import type { SqliteDatabase } from './sqlite.js';

/** How often expired nonces are deleted, at most. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * Core's {@link NonceStore} on SQLite: a senderNonce is refused while a row for it is unexpired.
 * One statement per nonce claims it (an insert, or the update of an expired row; a live row
 * changes nothing); expired rows are deleted at most once a minute, so the table holds about one
 * TTL of traffic.
 */
export function sqliteNonceStore(db: SqliteDatabase, clock: () => Date): NonceStore {
  const claim = db.prepare(
    `INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)
     ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ?`,
  );
  const purge = db.prepare('DELETE FROM nonces WHERE expires_at <= ?');
  let nextPurge = -Infinity;
  return {
    async remember(nonce, ttlSeconds) {
      const now = clock().getTime();
      if (now >= nextPurge) {
        purge.run(now);
        nextPurge = now + PURGE_INTERVAL_MS;
      }
      return claim.run(nonce, now + ttlSeconds * 1000, now).changes > 0;
    },
  };
}
