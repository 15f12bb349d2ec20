import type { AnnouncementWakeups } from '@cmpkit/core';
import type { AnnouncementWriteHooks } from '@cmpkit/store-sql';
import pg from 'pg';

/** The channel of `LISTEN`/`NOTIFY` on which writers announce new entries. */
export const ANNOUNCEMENT_CHANNEL = 'cmpkit_announcements';

/**
 * The advisory lock every transaction that stores entries holds until it commits: ids are taken
 * and committed in one order, so no reader (and no cursor) ever sees id n+1 before id n.
 */
const ENQUEUE_LOCK = 0x636d70616e6e; // "cmpann"

/**
 * The shared announcement repository's writes of entries on PostgreSQL: serialised with the
 * other writers by the advisory lock, and announced on {@link ANNOUNCEMENT_CHANNEL} to every
 * listener when (and only if) the transaction commits.
 */
export const ANNOUNCEMENT_WRITES: AnnouncementWriteHooks = {
  before: [{ sql: 'SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))', params: [ENQUEUE_LOCK] }],
  after: [{ sql: "SELECT pg_notify(?, '')", params: [ANNOUNCEMENT_CHANNEL] }],
};

/** The wait before listening again after the listening connection broke, doubled up to a minute. */
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 60_000;

/**
 * {@link AnnouncementWakeups} on PostgreSQL's own notification: one connection of its own (not
 * from the pool) runs `LISTEN` on the channel every writer of announcements `NOTIFY`s in its
 * transaction, so every instance hears of an entry the moment it is committed, whichever
 * instance or admin command stored it. When the connection breaks it connects again with
 * backoff and wakes the subscribers once it listens (notifications sent meanwhile are lost, and
 * the announcer's look at the store finds what they were about).
 */
export function postgresAnnouncementWakeups(url: string): AnnouncementWakeups & { close(): Promise<void> } {
  const subscribers = new Set<() => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = FIRST_RETRY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const wakeAll = (): void => {
    for (const wake of subscribers) wake();
  };
  const scheduleReconnect = (): void => {
    if (closed || timer || !subscribers.size) return;
    timer = setTimeout(() => {
      timer = undefined;
      void listen();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(LAST_RETRY_MS, retryMs * 2);
  };
  async function listen(): Promise<void> {
    if (closed || client) return;
    const connection = new pg.Client({ connectionString: url });
    client = connection;
    const lost = (): void => {
      if (client !== connection) return;
      client = undefined;
      connection.end().catch(() => {});
      scheduleReconnect();
    };
    connection.on('error', lost);
    connection.on('end', lost);
    connection.on('notification', (message) => {
      if (message.channel === ANNOUNCEMENT_CHANNEL) wakeAll();
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${ANNOUNCEMENT_CHANNEL}`);
      retryMs = FIRST_RETRY_MS;
      wakeAll(); // what was stored while nobody listened
    } catch {
      lost();
    }
  }

  return {
    subscribe(wake) {
      subscribers.add(wake);
      void listen();
      return () => {
        subscribers.delete(wake);
      };
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const connection = client;
      client = undefined;
      await connection?.end().catch(() => {});
    },
  };
}
