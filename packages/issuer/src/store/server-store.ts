import type { AnnouncementWakeups, NonceStore, RaJobStore, TransactionStore, WriteDurability } from '@cmpkit/core';
import type { AnnouncementRepository } from './announcement-repository.js';
import type { CertificateRepository } from './certificate-repository.js';
import type { CrlRepository } from './crl-repository.js';
import type { MigrationResult } from './migration.js';
import type { PendingRequestRepository } from './pending-request-repository.js';
import type { PushSubscriberRepository } from './push-subscriber-repository.js';
import type { RenewalDeadlineRepository } from './renewal-deadline-repository.js';
import type { RootCaUpdateRepository } from './root-ca-update-repository.js';
import type { ServerSecretStore } from './secret-store.js';

/** Everything the server keeps, on one database. */
export interface ServerStore extends WriteDurability {
  /** What the migrations did when the database was opened. */
  readonly migration: MigrationResult;
  readonly transactions: TransactionStore;
  readonly nonces: NonceStore;
  readonly secrets: ServerSecretStore;
  readonly certificates: CertificateRepository;
  readonly pending: PendingRequestRepository;
  readonly crls: CrlRepository;
  readonly rootCaUpdates: RootCaUpdateRepository;
  /**
   * Resolves once everything written so far is committed and durable as the configured
   * durability promises. The server awaits it before a response leaves (ARCHITECTURE.md decision
   * 6). With `since` (a {@link writeMark} taken before the request ran) it rejects when writes made
   * after the mark were lost, so their request fails instead of answering. Stores whose writes
   * are durable when they return resolve at once.
   */
  flush(since?: number): Promise<void>;
  /** A mark for {@link flush}: take it before a request runs. */
  writeMark(): number;
  /** Announcements waiting for their recipients (core's AnnouncementStore). */
  readonly announcements: AnnouncementRepository;
  /**
   * Tells a running server at once when another process (an admin command, another instance)
   * stored announcements, for core's announcer (`createAnnouncer({ wakeups })`).
   */
  readonly announcementWakeups: AnnouncementWakeups;
  /** HTTP push URLs (core's PushUrlStore). */
  readonly pushSubscribers: PushSubscriberRepository;
  /** Certificates whose holders were asked to re-enroll before a deadline. */
  readonly renewalDeadlines: RenewalDeadlineRepository;
  /** A registration authority's delayed-delivery jobs (core's RaJobStore). */
  readonly raJobs: RaJobStore;
  close(): Promise<void>;
}
