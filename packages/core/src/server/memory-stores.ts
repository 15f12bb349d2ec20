import type { NonceStore, SecretStore, TransactionRecord, TransactionStore } from './stores.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** Open transactions in memory, for tests and single processes. Expiry follows the injected clock. */
export function memoryTransactionStore(clock: () => Date = () => new Date()): TransactionStore {
  const entries = new Map<string, Entry<TransactionRecord>>();
  const live = (id: string): Entry<TransactionRecord> | undefined => {
    const entry = entries.get(id);
    // A record with a confirmDeadline leaves only through expireTransactions() (which revokes its
    // certificates) or delete(), never silently by its TTL.
    if (entry && entry.expiresAt <= clock().getTime() && entry.value.confirmDeadline === undefined) {
      entries.delete(id);
      return undefined;
    }
    return entry;
  };
  const copy = (record: TransactionRecord): TransactionRecord => structuredClone(record);
  return {
    async create(id, record, ttlSeconds) {
      if (live(id)) return false;
      entries.set(id, { value: copy(record), expiresAt: clock().getTime() + ttlSeconds * 1000 });
      return true;
    },
    async get(id) {
      const entry = live(id);
      return entry ? copy(entry.value) : undefined;
    },
    async update(id, record, ttlSeconds) {
      entries.set(id, { value: copy(record), expiresAt: clock().getTime() + ttlSeconds * 1000 });
    },
    async delete(id) {
      entries.delete(id);
    },
    async expired(now) {
      const out: { transactionId: string; record: TransactionRecord }[] = [];
      for (const [transactionId, entry] of entries) {
        if (entry.value.confirmDeadline !== undefined && entry.value.confirmDeadline <= now) {
          out.push({ transactionId, record: copy(entry.value) });
        }
      }
      return out;
    },
  };
}

/** Seen nonces in memory. */
export function memoryNonceStore(clock: () => Date = () => new Date()): NonceStore {
  const seen = new Map<string, number>();
  return {
    async remember(nonce, ttlSeconds) {
      const now = clock().getTime();
      if (seen.size > 10_000) for (const [k, exp] of seen) if (exp <= now) seen.delete(k);
      const expiresAt = seen.get(nonce);
      if (expiresAt !== undefined && expiresAt > now) return false;
      seen.set(nonce, now + ttlSeconds * 1000);
      return true;
    },
  };
}

/** Shared secrets from a fixed table: reference (as text) → secret. */
export function memorySecretStore(secrets: Readonly<Record<string, string | Uint8Array>>): SecretStore {
  const decoder = new TextDecoder();
  return {
    async get(senderKID) {
      return secrets[decoder.decode(senderKID)];
    },
  };
}
