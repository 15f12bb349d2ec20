import type { PushUrlStore } from '@cmpkit/core';

/** A URL announcements are POSTed to (RFC 9811 section 3.7), registered with `subscriber add`. */
export interface PushSubscriber {
  /** The announcer's recipient key it receives for. */
  recipient: string;
  url: string;
  /** The subject it was registered for (OpenSSL form), or undefined for a subscriber of broadcasts only. */
  subject?: string;
  addedAt: Date;
}

/** Core's {@link PushUrlStore} plus the listing the admin commands need. */
export interface PushSubscriberRepository extends PushUrlStore {
  /** Adds a subscriber; false when this URL was registered for this recipient already. */
  add(subscriber: PushSubscriber): Promise<boolean>;
  /** Every subscriber, oldest first. */
  list(): Promise<PushSubscriber[]>;
  /** Removes every registration of `url`; resolves to how many there were. */
  removeUrl(url: string): Promise<number>;
}
