/**
 * @packageDocumentation
 * `@cmpkit/store-sqlite`: everything a CMP server keeps (transactions, nonces, shared secrets,
 * certificates, waiting requests, CRLs, root CA updates, announcements, HTTP push subscribers) in
 * one SQLite file, behind the store interfaces of `@cmpkit/core` and the repositories of
 * `@cmpkit/issuer` (better-sqlite3, write-ahead logging, versioned schema migrations run on open,
 * group commit so that a response leaves only after what it reports is durable).
 *
 * @example
 * ```ts
 * import { openSqliteServerStore } from '@cmpkit/store-sqlite';
 *
 * const store = await openSqliteServerStore('ca.sqlite'); // created and migrated when missing
 * await store.secrets.add('demo', 'demo-secret-change-me');
 * console.log(store.migration, await store.certificates.list({ status: 'issued', limit: 10 }));
 * await store.close();
 * ```
 */
export { openSqliteServerStore } from './server-store.js';
export type { SqliteServerStore } from './server-store.js';
export type { SqliteDatabase } from './sqlite.js';
export { MIGRATIONS } from './migrations.js';
