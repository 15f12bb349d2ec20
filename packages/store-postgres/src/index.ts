/**
 * @packageDocumentation
 * `@cmpkit/store-postgres`: everything a CMP server keeps (transactions, nonces, shared secrets,
 * certificates, waiting requests, CRLs, root CA updates, announcements, HTTP push subscribers) in
 * one PostgreSQL database that several server instances share, behind the store interfaces of
 * `@cmpkit/core` and the repositories of `@cmpkit/issuer` (the `pg` driver; schema migrations run
 * on open under an advisory lock; cross-instance correctness from single statements and keys).
 *
 * @example
 * ```ts
 * import { openPostgresServerStore, withoutPassword } from '@cmpkit/store-postgres';
 *
 * const url = 'postgres://cmpkit@db.example/cmpkit';
 * const store = await openPostgresServerStore(url); // migrated on open
 * console.log(withoutPassword(url), store.migration);
 * await store.close();
 * ```
 */
export { openPostgresServerStore } from './postgres-server-store.js';
export type { PostgresServerStore } from './postgres-server-store.js';
export { isPostgresUrl, withoutPassword } from './postgres.js';
export type { PostgresPool } from './postgres.js';
export { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
