import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  profiles as builtIn,
  type CertificateAuthority,
  type GeneratedCa,
} from '@cmpkit/ca';
import { parseName } from '@cmpkit/codec';
import type { Logger } from '@cmpkit/core';
import {
  createCaIssuer,
  createCrlPublisher,
  type CaIssuer,
  type CaIssuerInit,
  type CrlPublisher,
  type ProfileCatalog,
  type ServerProfile,
} from '@cmpkit/issuer';
import { memoryRepositories, type MemoryRepositories } from './memory-repositories.js';

/** A root and an issuing CA on the clock. */
export async function makeCa(clock: () => Date): Promise<{ root: GeneratedCa; issuing: GeneratedCa; ca: CertificateAuthority }> {
  const root = await createSelfSignedCa({ subject: '/O=Test/CN=Test Root CA', clock });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, clock }), { subject: '/O=Test/CN=Test Issuing CA' });
  return { root, issuing, ca: createCertificateAuthority({ ...issuing, clock }) };
}

/**
 * The profiles of the tests: the built-in device, TLS server and TLS client profiles, `approval`
 * (an operator decides), `delayed` (issued at the second poll), `slow` (ten seconds), `templated`
 * (fixed subject parts and a choice of key algorithms) and `withCrlUrl`.
 */
export function testCatalog(): ProfileCatalog {
  const entries: [string, ServerProfile][] = [
    ['device', { profile: builtIn.device }],
    ['tlsServer', { profile: builtIn.tlsServer }],
    ['tlsClient', { profile: builtIn.tlsClient }],
    ['approval', { profile: defineProfile({ ...builtIn.device, name: 'approval', requireApproval: true }) }],
    ['delayed', { profile: defineProfile({ ...builtIn.device, name: 'delayed', issueDelay: { polls: 2 } }) }],
    ['slow', { profile: defineProfile({ name: 'slow', issueDelay: { seconds: 10 } }) }],
    [
      'templated',
      {
        profile: defineProfile({ name: 'templated', keyAlgorithms: ['ec:P-384', 'rsa:3072', 'rsa:2048+', 'ed25519'] }),
        subjectTemplate: parseName('/O=Example/OU=Devices'),
      },
    ],
    ['withCrlUrl', { profile: defineProfile({ name: 'withCrlUrl', crlDistributionPoint: 'http://crl.example/ca.crl' }) }],
  ];
  return { profiles: new Map(entries), defaultProfile: 'device' };
}

/** A logger that keeps every line as `level message {data}`. */
export function arrayLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, data?: Record<string, unknown>) =>
    void lines.push(
      `${level} ${message}${data ? ` ${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}` : ''}`,
    );
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** The issuer's clock, moved by hand. */
export type TestClock = (() => Date) & { advance(ms: number): void };

/** A clock standing at 2026-03-01T12:00:00Z until a test moves it. */
export function testClock(): TestClock {
  let now = Date.parse('2026-03-01T12:00:00Z');
  return Object.assign(() => new Date(now), {
    advance: (ms: number) => {
      now += ms;
    },
  });
}

/** An issuer on in-memory repositories with the test profiles. */
export interface IssuerSetup {
  clock: TestClock;
  root: GeneratedCa;
  issuing: GeneratedCa;
  ca: CertificateAuthority;
  store: MemoryRepositories;
  catalog: ProfileCatalog;
  crlPublisher: CrlPublisher;
  issuer: CaIssuer;
  log: string[];
  /** Another issuer on the same repositories: a second server instance, or the first after a restart. */
  another(overrides?: Partial<CaIssuerInit>): CaIssuer;
}

export async function issuerSetup(): Promise<IssuerSetup> {
  const clock = testClock();
  const { root, issuing, ca } = await makeCa(clock);
  const store = memoryRepositories();
  const catalog = testCatalog();
  const crlPublisher = createCrlPublisher({ ca, crls: store.crls, validityHours: 24, clock });
  const log: string[] = [];
  const init: CaIssuerInit = {
    ca,
    rootCertificate: root.certificate,
    certificates: store.certificates,
    pending: store.pending,
    rootCaUpdates: store.rootCaUpdates,
    crlPublisher,
    catalog,
    checkAfterSeconds: 3,
    crlUrls: ['http://crl.example/ca.crl'],
    clock,
    crypto: globalThis.crypto,
    logger: arrayLogger(log),
  };
  return {
    clock,
    root,
    issuing,
    ca,
    store,
    catalog,
    crlPublisher,
    issuer: createCaIssuer(init),
    log,
    another: (overrides = {}) => createCaIssuer({ ...init, logger: arrayLogger([]), ...overrides }),
  };
}
