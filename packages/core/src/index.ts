/**
 * @packageDocumentation
 * `@cmpkit/core`: transport-agnostic CMP state machines. Time, randomness, transports and stores
 * are passed in; the core does no I/O.
 */
export { loopbackTransport } from './loopback-transport.js';
export type { CmpHandler, RequestContext, Transport, TransportSendOptions } from './transport.js';
export { isTransportError, TransportError } from './transport-error.js';

// Server: the interfaces the application implements.
export type { Authorizer } from './server/authorizer.js';
export type { CertificationRequest, CertificationResult, IssuedCertificateRecord, Issuer, RevocationRequest } from './server/issuer.js';
export type { Requester } from './server/requester.js';
export type { NonceStore, SecretStore, TransactionRecord, TransactionStore } from './server/stores.js';
export type { WriteDurability } from './server/write-durability.js';
export { withStoreErrors } from './server/with-store-errors.js';
export { isStoreError, StoreError } from './errors/store-error.js';
export { ProtocolError } from './errors/protocol-error.js';
export { RemoteError } from './errors/remote-error.js';
export type { RemoteErrorInit } from './errors/remote-error.js';
export { RequestRejectedError } from './errors/request-rejected-error.js';

// Client
export { createClient } from './client/create-client.js';
export type { CmpClient } from './client/create-client.js';
export type { AutoRenewOptions, ClientInit } from './client/client-init.js';
export type { AnnouncementEvent } from './client/announcements.js';
export { acceptCertificate, rejectCertificate } from './client/certificate-decision.js';
export type { CertificateDecision, IssuedCertificate } from './client/certificate-decision.js';
export type { CentralKeyGeneration, EnrollmentState, EnrollOptions, EnrollResult, EnrollStep } from './client/enroll-options.js';
export type { GeneralMessageOptions, RootCaUpdate } from './client/general-message.js';
export type { PollWait } from './client/poll-wait.js';
export { CRLReason } from './client/revoke.js';
export type { RevokeOptions, RevokeResult } from './client/revoke.js';

// Server engine
export { createServer } from './server/create-server.js';
export type { CmpServer } from './server/create-server.js';
export type {
  ExternalTrust,
  ExternalTrustRequest,
  KeyDerivationSettings,
  ServerInit,
  ServerPolicy,
  ServerProtection,
} from './server/server-init.js';
export type { ServerExchange } from './server/server-exchange.js';
export { memoryNonceStore, memorySecretStore, memoryTransactionStore } from './server/memory-stores.js';
export { createConnectionRateLimit } from './server/connection-admission.js';
export type { AdmissionDecision, ConnectionAdmission, ConnectionRateLimitInit } from './server/connection-admission.js';

// Registration authority (RFC 9483 section 5)
export { createRegistrationAuthority } from './ra/create-registration-authority.js';
export type { RegistrationAuthority } from './ra/create-registration-authority.js';
export type { RaJobStore, StoredRaJob } from './ra/ra-job-store.js';
export { memoryRaJobStore } from './ra/memory-ra-job-store.js';
export { storedRaJobFromRow } from './ra/ra-job-row.js';
export type { RaJobRow } from './ra/ra-job-row.js';
export type { RaBatching, RaDelayedDelivery, RaMode, RaModeChooser, RegistrationAuthorityInit } from './ra/registration-authority-init.js';
export { createNestedBatcher } from './ra/nested-batcher.js';
export type { NestedBatcher, NestedBatcherInit } from './ra/nested-batcher.js';
export type { NestedOptions } from './client/nested.js';
export type { RequestRelay } from './server/server-init.js';

// Runtime
export { silentLogger } from './runtime.js';
export type { Logger, RuntimeInit, Sleep } from './runtime.js';

// Announcements (RFC 9810 5.3.13-5.3.16): building, storing, delivering
export type { PushChannel } from './transport.js';
export { buildAnnouncement, certIdOf } from './announce/announcement.js';
export type { Announcement, AnnouncementSender, RevocationAnnouncementStatus } from './announce/announcement.js';
export type {
  AnnouncementChange,
  AnnouncementStore,
  DeadLetter,
  DeliveryFailure,
  PruneOptions,
  PushUrlStore,
  QueuedAnnouncement,
  RecipientBacklog,
} from './announce/announcement-store.js';
export type { AnnouncementWakeups } from './announce/announcement-wakeups.js';
export { memoryAnnouncementStore, memoryPushUrlStore } from './announce/memory-announcement-store.js';
export { recipientKeyOf, recipientKeyOfCertificate, recipientKeyOfRequester, recipientNameOf } from './announce/recipient-key.js';
export { createAnnouncer } from './announce/announcer.js';
export type { AnnouncementPoster, AnnouncementRetry, Announcer, AnnouncerInit, BroadcastResult, Delivery } from './announce/announcer.js';
