import type { NonceStore } from '@cmpkit/core';
import type { SqlConnection } from './sql-connection.js';

/** How often (ms, on the store's clock) one store deletes expired nonces. */
const PURGE_INTERVAL = 60_000;

const REMEMBER = `INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)
  ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ?`;
const PURGE = 'DELETE FROM nonces WHERE expires_at <= ?';

/**
 * Core's {@link NonceStore} in SQL: one statement inserts the nonce, or renews a row whose
 * lifetime is over, and changes nothing for a live one, so a replay is caught whichever server
 * instance saw the nonce first. Expired rows are deleted now and then.
 */
export function sqlNonceStore(db: SqlConnection, clock: () => Date): NonceStore {
  let lastPurge = -Infinity;
  return {
    async remember(nonce, ttlSeconds) {
      const now = clock().getTime();
      if (now - lastPurge >= PURGE_INTERVAL) {
        lastPurge = now;
        await db.run(PURGE, [now]);
      }
      return (await db.run(REMEMBER, [nonce, now + ttlSeconds * 1000, now])) > 0;
    },
  };
}
