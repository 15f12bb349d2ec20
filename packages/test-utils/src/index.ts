/**
 * @packageDocumentation
 * `@cmpkit/test-utils` (private): helpers the cmpkit packages share in their tests. The transport
 * compliance suite every transport runs, the store contract suite every server store runs, a
 * PostgreSQL database per test (with `postgres-global-setup.ts` as the vitest globalSetup: one
 * throwaway cluster per run), bundles of scripts and pages from the packages' sources
 * (`bundleFromSources`), temporary directories and a deterministic fake clock.
 *
 * @example
 * ```ts
 * import { fakeClock, transportCompliance } from '@cmpkit/test-utils';
 *
 * transportCompliance('my transport', async (handler, { maxMessageBytes }) => startMyServerAndClient(handler, maxMessageBytes));
 *
 * const clock = fakeClock();
 * const slept = clock.sleep(5000);
 * clock.advance(5000);
 * await slept;
 * ```
 */
export { announcementDelivery } from './announcement-delivery.js';
export type { PushServerSetup, PushServerUnderTest, PushTransport } from './announcement-delivery.js';
export { createAnnouncementScenario } from './announcement-scenario.js';
export { announcementStoreContract } from './announcement-store-contract.js';
export type { OpenAnnouncementStores } from './announcement-store-contract.js';
export type { AnnouncementScenario, AnnouncementScenarioOptions } from './announcement-scenario.js';
export { deferred, expectTransportError, rejection } from './async-assertions.js';
export type { Deferred } from './async-assertions.js';
export { fakeClock } from './fake-clock.js';
export { createSoftHsmToken, softHsmUnavailable } from './softhsm.js';
export type { SoftHsmToken } from './softhsm.js';
export type { FakeClock } from './fake-clock.js';
export { createTestDatabase, postgresMissing, postgresUrl } from './postgres-database.js';
export type { TestDatabase } from './postgres-database.js';
export { createFaultyTestDatabase } from './postgres-fault-database.js';
export type { FaultyTestDatabase } from './postgres-fault-database.js';
export { bundleFromSources } from './source-bundle.js';
export type { SourceBundleOptions } from './source-bundle.js';
export { storeContract } from './store-contract.js';
export type { ContractDatabase, StoreContractSetup } from './store-contract.js';
export { tempDir } from './temp-dir.js';
export { transportCompliance } from './transport-compliance.js';
export { settleWithClock, waitUntil } from './waiting.js';
export { createTlsFixtures } from './tls-fixtures.js';
export type { TlsCredentialPem, TlsFixtures } from './tls-fixtures.js';
export type { WaitUntilOptions } from './waiting.js';
export type {
  TransportComplianceLimits,
  TransportComplianceOptions,
  TransportComplianceSetup,
  TransportUnderTest,
} from './transport-compliance.js';
