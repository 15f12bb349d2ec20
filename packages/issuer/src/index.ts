/**
 * @packageDocumentation
 * `@cmpkit/issuer`: the `Issuer` of `@cmpkit/core`'s server engine on the issuing CA of
 * `@cmpkit/ca`. It chooses the certificate profile, holds requests for approval or a delay,
 * stores every certificate before the response leaves, revokes, publishes CRLs and answers the
 * general messages (caCerts, rootCaCert, certReqTemplate, crlStatusList). It also names the
 * repositories it keeps its state in (`ServerStore`); `@cmpkit/store-sqlite` and
 * `@cmpkit/store-postgres` implement them.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, createSelfSignedCa, defineProfile } from '@cmpkit/ca';
 * import { parseName } from '@cmpkit/codec';
 * import { createServer } from '@cmpkit/core';
 * import { createCaIssuer, createCrlPublisher } from '@cmpkit/issuer';
 * import { openSqliteServerStore } from '@cmpkit/store-sqlite';
 *
 * const root = await createSelfSignedCa({ subject: '/O=Example/CN=Example CA' });
 * const ca = createCertificateAuthority(root);
 * const store = await openSqliteServerStore('ca.sqlite');
 * const clock = () => new Date();
 * const crlPublisher = createCrlPublisher({ ca, crls: store.crls, validityHours: 24, clock });
 * const issuer = createCaIssuer({
 *   ca,
 *   rootCertificate: root.certificate,
 *   certificates: store.certificates,
 *   pending: store.pending,
 *   rootCaUpdates: store.rootCaUpdates,
 *   crlPublisher,
 *   catalog: { profiles: new Map([['device', { profile: defineProfile({ name: 'device' }) }]]), defaultProfile: 'device' },
 *   checkAfterSeconds: 5,
 *   clock,
 *   crypto: globalThis.crypto,
 *   logger: console,
 * });
 * const server = createServer({
 *   name: parseName('/O=Example/CN=Example CA'),
 *   issuer,
 *   protection: { secrets: store.secrets },
 *   stores: { transactions: store.transactions, nonces: store.nonces },
 * });
 * ```
 */
// The issuer
export { createCaIssuer } from './ca-issuer.js';
export type { CaIssuer, CaIssuerInit } from './ca-issuer.js';
export { createCrlPublisher } from './crl-publisher.js';
export type { CrlPublisher, CrlPublisherInit } from './crl-publisher.js';
export { generateCentralKey } from './central-key.js';
export type { CentralKey } from './central-key.js';
export type { ProfileCatalog, ServerProfile } from './server-profile.js';
export { isRevocationReason, parseReason, reasonName } from './revocation-reason.js';
export { GENERATED_KEY_ALGORITHMS, isPostQuantumKey, keyGenParams } from './pki/key-algorithms.js';
export { parseSerial, serialHex } from './pki/serial-number.js';

// The repositories the issuer and the server keep their state in
export type { ServerStore } from './store/server-store.js';
export type { AnnouncementRepository } from './store/announcement-repository.js';
export { CERTIFICATE_HOLD } from './store/certificate-repository.js';
export type {
  CertificateRepository,
  CertificateStatus,
  NewCertificate,
  RevokedEntry,
  RevokeOutcome,
  StoredCertificate,
} from './store/certificate-repository.js';
export type { CrlRepository, CrlReservation, StoredCrl } from './store/crl-repository.js';
export type { Migration, MigrationResult } from './store/migration.js';
export type {
  NewPendingRequest,
  PendingKind,
  PendingRequest,
  PendingRequestRepository,
  PendingStatus,
} from './store/pending-request-repository.js';
export type { PushSubscriber, PushSubscriberRepository } from './store/push-subscriber-repository.js';
export type { RootCaUpdate, RootCaUpdateRepository } from './store/root-ca-update-repository.js';
export type { SecretEntry, ServerSecretStore } from './store/secret-store.js';
