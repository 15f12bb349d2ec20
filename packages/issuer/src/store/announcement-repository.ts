import type { AnnouncementStore } from '@cmpkit/core';

/** Core's {@link AnnouncementStore} plus what the admin commands show. */
export interface AnnouncementRepository extends AnnouncementStore {
  /** How many announcements wait for delivery, over all recipients. */
  pendingCount(): Promise<number>;
  /**
   * Claims the announcement of the CRL with this cRLNumber: true for the first caller (of any
   * process sharing the database) to claim it or a newer one, false afterwards, so each new CRL
   * is announced once whoever signed it.
   */
  claimCrl(crlNumber: bigint): Promise<boolean>;
}
