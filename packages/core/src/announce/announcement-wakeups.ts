/**
 * How an announcer learns at once that another process (an admin command, another server
 * instance) stored announcements in the shared store, instead of finding out on a timer. The
 * stores implement it with what their database offers (PostgreSQL LISTEN/NOTIFY; for SQLite a
 * signal file the writers touch after they commit); the core stays free of I/O.
 *
 * A wake-up carries no data and may be spurious or coalesced: the announcer asks the store what
 * changed since it last looked (`AnnouncementStore.changes`), so a lost or repeated signal
 * costs at most one query, never an announcement.
 */
export interface AnnouncementWakeups {
  /** Calls `wake` whenever something may have been stored elsewhere; returns a function that stops. */
  subscribe(wake: () => void): () => void;
}
