import type { NonceStore } from '@cmpkit/core';
import type { PostgresPool } from './postgres.js';

/** How often (ms, on the store's clock) one instance deletes expired nonces. */
const PURGE_INTERVAL = 10_000;

/**
 * Core's {@link NonceStore} on PostgreSQL: one statement inserts the nonce, or renews a row whose
 * lifetime is over, and reports nothing for a live one, so a replay is caught whichever instance
 * saw the nonce first. Expired rows are deleted now and then.
 */
export function postgresNonceStore(pool: PostgresPool, clock: () => Date): NonceStore {
  let lastPurge = -Infinity;
  return {
    async remember(nonce, ttlSeconds) {
      const now = clock().getTime();
      if (now - lastPurge >= PURGE_INTERVAL) {
        lastPurge = now;
        await pool.query('DELETE FROM nonces WHERE expires_at <= $1', [now]);
      }
      const result = await pool.query(
        `INSERT INTO nonces (nonce, expires_at) VALUES ($1, $2)
         ON CONFLICT (nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at <= $3`,
        [nonce, now + ttlSeconds * 1000, now],
      );
      return (result.rowCount ?? 0) > 0;
    },
  };
}
