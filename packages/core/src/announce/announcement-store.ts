/**
 * Storage of announcements, defined by the announcer (STYLE.md P9). A memory implementation ships
 * in core; `@cmpkit/store-sqlite` and `@cmpkit/store-postgres` provide persistent ones shared
 * between processes (the CLI that rolls the CA key stores, the running servers deliver).
 *
 * The model: every entry is stored once, for one recipient or (a broadcast) for every recipient
 * recorded when it was stored. Ids grow in the order entries are stored. Each recipient has a
 * cursor, the id of the last entry it received (or that was moved aside): its backlog is the
 * entries after the cursor that are its own or broadcasts. Delivering is moving the cursor, so a
 * broadcast to 100,000 recipients is one message and 100,000 numbers, not 100,000 copies.
 */

/** An entry in a recipient's backlog. */
export interface QueuedAnnouncement {
  /**
   * The store's id: the decimal text of a sequence number that grows in the order entries were
   * stored, and becomes visible to readers in that order.
   */
  id: string;
  /** When it was stored, ms since the epoch. */
  createdAt: number;
}

/** What a recipient has not received yet, and how the first entry fared. */
export interface RecipientBacklog {
  /** The entries after the recipient's cursor, oldest first. */
  entries: QueuedAnnouncement[];
  /** Failed tries of `entries[0]` so far (0 when it was never tried). */
  attempts: number;
  /** After a failed try: when `entries[0]` is due again, ms since the epoch; otherwise 0. */
  retryAt: number;
}

/** An entry stored after a given id, as {@link AnnouncementStore.changes} lists it. */
export interface AnnouncementChange {
  id: string;
  /** The recipient of a targeted entry; absent for a broadcast. */
  recipient?: string;
}

/** A failed try, as {@link AnnouncementStore.failed} records it. */
export interface DeliveryFailure {
  /** Why it failed, for the operator. */
  error: string;
  /** When the entry may be tried again, ms since the epoch. */
  retryAt: number;
}

/** An entry that could not be delivered to a recipient within the bounded number of tries. */
export interface DeadLetter {
  recipient: string;
  /** The id of the entry (for {@link AnnouncementStore.requeue} and {@link AnnouncementStore.discard}). */
  id: string;
  /** When the entry was stored, ms since the epoch. */
  createdAt: number;
  /** The tries made. */
  attempts: number;
  /** Why the last one failed. */
  error: string;
  /** When it was moved aside, ms since the epoch. */
  deadAt: number;
}

/** When {@link AnnouncementStore.prune} may delete entries, as ms since the epoch. */
export interface PruneOptions {
  /** Entries every recipient has received (or that were moved aside) and that were stored before this. */
  deliveredBefore: number;
  /** Any entry stored before this, delivered or not (and its dead letters). */
  expiredBefore: number;
}

/**
 * Announcements and the delivery state of each recipient. Every method is async; messages are
 * bytes. Several processes may share one store: ids must become visible in their order (a reader
 * never sees id n+1 without n), or a cursor could pass an entry committed late.
 */
export interface AnnouncementStore {
  /** Stores `message` for `recipient` (recording the recipient, see {@link addRecipient}); resolves to its id. */
  enqueue(recipient: string, message: Uint8Array, createdAt: number): Promise<string>;
  /**
   * Stores `message` once for every recipient recorded so far (a recipient recorded later does
   * not get it); resolves to its id and the number of those recipients.
   */
  enqueueBroadcast(message: Uint8Array, createdAt: number): Promise<{ id: string; recipients: number }>;
  /** The backlogs of those of `recipients` that have one, in one read. */
  backlog(recipients: readonly string[]): Promise<Map<string, RecipientBacklog>>;
  /** The messages of stored entries by id; ids no longer stored are missing from the map. */
  messages(ids: readonly string[]): Promise<Map<string, Uint8Array>>;
  /**
   * `recipient` received every entry of its backlog up to `id`: its cursor moves to `id` (never
   * back) and the count of failed tries is reset.
   */
  delivered(recipient: string, id: string): Promise<void>;
  /** A try of entry `id` to `recipient` failed: resolves to the number of failed tries of that entry so far. */
  failed(recipient: string, id: string, failure: DeliveryFailure): Promise<number>;
  /**
   * Moves entry `id` aside for `recipient` (a {@link DeadLetter} with the failure last recorded)
   * and its cursor past it, so that the entries after it can go out.
   */
  deadLetter(recipient: string, id: string, deadAt: number): Promise<void>;
  /** The entries stored after `after` (from the first when undefined), oldest first, at most `limit`. */
  changes(after: string | undefined, limit: number): Promise<AnnouncementChange[]>;
  /** The recipients whose first entry failed and is due again at `now`. */
  retryDue(now: number): Promise<string[]>;
  /** Records that `recipient` exists, so that later broadcasts reach it while it is offline. */
  addRecipient(recipient: string): Promise<void>;
  /** Every recipient recorded. */
  recipients(): Promise<string[]>;
  /** The entries moved aside, oldest first. */
  deadLetters(): Promise<DeadLetter[]>;
  /**
   * Puts a dead letter back at the end of the recipient's queue (a new entry with the same
   * message) and resolves to the new id; undefined when there is no such dead letter.
   */
  requeue(recipient: string, id: string, createdAt: number): Promise<string | undefined>;
  /** Deletes a dead letter; false when there is no such dead letter. */
  discard(recipient: string, id: string): Promise<boolean>;
  /** Deletes what {@link PruneOptions} allows; resolves to the number of entries deleted. */
  prune(options: PruneOptions): Promise<number>;
}

/**
 * Where announcements for a recipient are POSTed over HTTP (RFC 9811 section 3.7, RFC 6712 3.7).
 * How URLs get registered is the application's business: the RFCs leave it out of band.
 */
export interface PushUrlStore {
  /** The URLs of `recipient`, in the order they are tried. */
  urls(recipient: string): Promise<string[]>;
  /** Adds a URL for `recipient` (no duplicate). */
  register(recipient: string, url: string): Promise<void>;
  /** Removes a URL of `recipient`; unknown ones are ignored. */
  unregister(recipient: string, url: string): Promise<void>;
  /** Every recipient that has at least one URL. */
  recipients(): Promise<string[]>;
}
