import { defineProfile, type GeneratedCa } from '@cmpkit/ca';
import { parseName } from '@cmpkit/codec';
import { buildCatalog } from '../../src/config/profile-catalog.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import {
  createCaIssuer,
  createCrlPublisher,
  type CaIssuer,
  type CrlPublisher,
  type ProfileCatalog,
  type ServerStore,
} from '@cmpkit/issuer';
import { lineLogger } from '../../src/log/logger.js';
import { openServerStore } from '../../src/config/open-server-store.js';
import { fakeClock, makeCa, type FakeClock } from '../helpers.js';
import type { CertificateAuthority } from '@cmpkit/ca';

/** An issuer on an in-memory store with the default profiles plus a few for the tests. */
export interface IssuerSetup {
  clock: FakeClock;
  root: GeneratedCa;
  issuing: GeneratedCa;
  ca: CertificateAuthority;
  store: ServerStore;
  catalog: ProfileCatalog;
  crlPublisher: CrlPublisher;
  issuer: CaIssuer;
  log: string[];
}

export async function issuerSetup(): Promise<IssuerSetup> {
  const clock = fakeClock();
  const { root, issuing, ca } = await makeCa(clock);
  const store = await openServerStore(':memory:', clock);
  const base = buildCatalog(DEFAULT_CONFIG);
  const profiles = new Map(base.profiles);
  profiles.set('slow', { profile: defineProfile({ name: 'slow', issueDelay: { seconds: 10 } }) });
  profiles.set('templated', {
    profile: defineProfile({ name: 'templated', keyAlgorithms: ['ec:P-384', 'rsa:3072', 'rsa:2048+', 'ed25519'] }),
    subjectTemplate: parseName('/O=Example/OU=Devices'),
  });
  profiles.set('withCrlUrl', { profile: defineProfile({ name: 'withCrlUrl', crlDistributionPoint: 'http://crl.example/ca.crl' }) });
  const catalog: ProfileCatalog = { profiles, defaultProfile: 'device' };
  const crlPublisher = createCrlPublisher({ ca, crls: store.crls, validityHours: 24, clock });
  const log: string[] = [];
  const issuer = createCaIssuer({
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
    logger: lineLogger((line) => log.push(line), 'debug', clock),
  });
  return { clock, root, issuing, ca, store, catalog, crlPublisher, issuer, log };
}
