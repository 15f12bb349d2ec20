/**
 * @packageDocumentation
 * `@cmpkit/store-sql`: the repositories of a CMP server's store written once in the SQL that
 * SQLite and PostgreSQL share, over a small connection interface ({@link SqlConnection}: `run`,
 * `all`, `atomic` with `?` placeholders, `jsonList` where the dialects differ). `@cmpkit/store-sqlite` and `@cmpkit/store-postgres`
 * implement the connection over their drivers and keep what differs: schema migrations, write
 * batching and group commit (SQLite), pools and advisory locks (PostgreSQL).
 *
 * @example
 * ```ts
 * import { sqlNonceStore, sqlTransactionStore, type SqlConnection } from '@cmpkit/store-sql';
 *
 * const connection: SqlConnection = myConnection; // run, all, atomic, jsonList
 * const stores = { transactions: sqlTransactionStore(connection, clock), nonces: sqlNonceStore(connection, clock) };
 * ```
 */
export type { SqlConnection, SqlStatement, SqlValue } from './sql-connection.js';
export { bigintOf, bytesOf, dateOf, numberOf, optional } from './columns.js';
export { sqlAnnouncementRepository } from './announcement-repository.js';
export type { AnnouncementWriteHooks } from './announcement-repository.js';
export { sqlCertificateRepository } from './certificate-repository.js';
export { sqlCrlRepository } from './crl-repository.js';
export { sqlNonceStore } from './nonce-store.js';
export { sqlPendingRequestRepository } from './pending-request-repository.js';
export { sqlPushSubscriberRepository } from './push-subscriber-repository.js';
export { sqlRaJobStore } from './ra-job-store.js';
export { sqlRenewalDeadlineRepository } from './renewal-deadline-repository.js';
export { REVOKED, revokedEntryOf } from './revoked-certificates.js';
export type { RevokedRow } from './revoked-certificates.js';
export { sqlRootCaUpdateRepository } from './root-ca-update-repository.js';
export { sqlSecretStore } from './secret-store.js';
export { sqlRepositories } from './sql-repositories.js';
export type { SqlRepositories } from './sql-repositories.js';
export { sqlTransactionStore } from './transaction-store.js';
