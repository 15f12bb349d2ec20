/**
 * Storage of announcements not yet delivered, defined by the announcer (STYLE.md P9). A memory
 * implementation ships in core; apps provide persistent ones shared between processes (the CLI
 * that rolls the CA key enqueues, the running server delivers).
 */

/** One announcement waiting for its recipient. */
export interface PendingAnnouncement {
  /** The store's id of this entry (opaque; unique within the store). */
  id: string;
  /** The protected DER PKIMessage, sent as it is. */
  message: Uint8Array;
  /** When it was enqueued, ms since the epoch. */
  createdAt: number;
}

/** Announcements per recipient, kept until delivered; every method is async and JSON/bytes safe. */
export interface AnnouncementStore {
  /** Keeps `message` for `recipient` (a {@link recipientKeyOf} key) and resolves to its id. */
  enqueue(recipient: string, message: Uint8Array, createdAt: number): Promise<string>;
  /** What `recipient` has not received yet, oldest first. */
  pending(recipient: string): Promise<PendingAnnouncement[]>;
  /** Marks an entry delivered (it is not returned by `pending` again); unknown ids are ignored. */
  delivered(id: string): Promise<void>;
  /** Records that `recipient` exists, so that broadcasts reach it while it is offline. */
  addRecipient(recipient: string): Promise<void>;
  /** Every recipient recorded by `addRecipient`. */
  recipients(): Promise<string[]>;
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
