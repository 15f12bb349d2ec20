import type { NonceStore } from '@cmpkit/core';
import type { SqliteDatabase } from './sqlite.js';

/**
 * Core's {@link NonceStore} on SQLite: a senderNonce is refused while a row for it is unexpired.
 * Expired rows are deleted as new nonces arrive, so the table holds about one TTL of traffic.
 */
export function sqliteNonceStore(db: SqliteDatabase, clock: () => Date): NonceStore {
  const select = db.prepare<[string], { expires_at: number }>('SELECT expires_at FROM nonces WHERE nonce = ?');
  const upsert = db.prepare(
    'INSERT INTO nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at',
  );
  const purge = db.prepare('DELETE FROM nonces WHERE expires_at <= ?');
  const remember = db.transaction((nonce: string, ttlSeconds: number): boolean => {
    const now = clock().getTime();
    const row = select.get(nonce);
    if (row && row.expires_at > now) return false;
    purge.run(now);
    upsert.run(nonce, now + ttlSeconds * 1000);
    return true;
  });
  return {
    async remember(nonce, ttlSeconds) {
      return remember.immediate(nonce, ttlSeconds);
    },
  };
}
