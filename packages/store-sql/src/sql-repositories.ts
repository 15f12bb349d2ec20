import type { ServerStore } from '@cmpkit/issuer';
import { sqlAnnouncementRepository, type AnnouncementWriteHooks } from './announcement-repository.js';
import { sqlCertificateRepository } from './certificate-repository.js';
import { sqlCrlRepository } from './crl-repository.js';
import { sqlNonceStore } from './nonce-store.js';
import { sqlPendingRequestRepository } from './pending-request-repository.js';
import { sqlPushSubscriberRepository } from './push-subscriber-repository.js';
import { sqlRaJobStore } from './ra-job-store.js';
import { sqlRenewalDeadlineRepository } from './renewal-deadline-repository.js';
import { sqlRootCaUpdateRepository } from './root-ca-update-repository.js';
import { sqlSecretStore } from './secret-store.js';
import type { SqlConnection } from './sql-connection.js';
import { sqlTransactionStore } from './transaction-store.js';

/** The repositories of a {@link ServerStore}: everything but migration, durability, wake-ups and closing. */
export type SqlRepositories = Omit<ServerStore, 'migration' | 'flush' | 'writeMark' | 'announcementWakeups' | 'close'>;

/**
 * Every repository of a {@link ServerStore} on one connection: what a store adds is opening and
 * migrating the database, `flush`/`writeMark`, how other processes learn of new announcements
 * (`announcementWakeups`, and `announcementWrites` to signal them) and `close`.
 */
export function sqlRepositories(db: SqlConnection, clock: () => Date, announcementWrites: AnnouncementWriteHooks = {}): SqlRepositories {
  return {
    transactions: sqlTransactionStore(db, clock),
    nonces: sqlNonceStore(db, clock),
    secrets: sqlSecretStore(db, clock),
    certificates: sqlCertificateRepository(db),
    pending: sqlPendingRequestRepository(db),
    crls: sqlCrlRepository(db),
    rootCaUpdates: sqlRootCaUpdateRepository(db),
    announcements: sqlAnnouncementRepository(db, clock, announcementWrites),
    pushSubscribers: sqlPushSubscriberRepository(db, clock),
    renewalDeadlines: sqlRenewalDeadlineRepository(db),
    raJobs: sqlRaJobStore(db),
  };
}
