import { createCertificateAuthority, type CertificateAuthority } from '@cmpkit/ca';
import type { ExternalTrust } from '@cmpkit/core';
import type { ServerConfig } from '../config/server-config.js';
import { ConfigError } from '../config/config-error.js';
import { buildCatalog } from '../config/profile-catalog.js';
import {
  createCaIssuer,
  createCrlPublisher,
  type CaIssuer,
  type CrlPublisher,
  type ProfileCatalog,
  type ServerStore,
} from '@cmpkit/issuer';
import type { Logger } from '../log/logger.js';
import { createCaMaterial, writeCaMaterial, type CaMaterial } from '../pki/ca-material.js';
import { loadExternalTrust } from '../pki/external-trust.js';
import { createKeySource, type KeySource } from '../pki/key-source.js';
import { fileExists, isGeneratedLayout, loadCaMaterial, type LoadedCaMaterial } from '../pki/load-ca-material.js';
import { readSecretReference } from '../config/secret-reference.js';
import { openServerStore } from '../config/open-server-store.js';
import { serverKeyDerivation, type ServerKeyDerivation } from './key-derivation.js';

/** What a command works with: the configuration, the open store, the CA and the issuer. */
export interface ServerContext {
  config: ServerConfig;
  store: ServerStore;
  material: CaMaterial;
  /** The root certificates of other PKIs (`externalAnchors`) and the request types each is trusted for. */
  externalTrust: ExternalTrust[];
  ca: CertificateAuthority;
  catalog: ProfileCatalog;
  crlPublisher: CrlPublisher;
  issuer: CaIssuer;
  /** True when this call generated the CA material. */
  createdCa: boolean;
  /** The CMP protection certificate this call issued for an imported CA (its path), if any. */
  issuedCmpCertificate?: string;
  /** Where the private keys come from (files, PKCS#11 tokens). */
  keys: KeySource;
  /** The shared secret stored because the database was new (print it once). */
  seededSecret?: { reference: string; secret: string };
  clock: () => Date;
  /** The WebCrypto everything runs on; signs with the CA and CMP keys on their token when they are in one. */
  crypto: Crypto;
  /** Password-based key derivations of the CMP engine (a worker thread, started on first use). */
  keyDerivation: ServerKeyDerivation;
  /**
   * Loads the CA material from the data directory again and rebuilds the CA, the CRL publisher
   * and the issuer on it (after `ca rollover` changed the files under a running server).
   */
  reloadMaterial(): Promise<void>;
  close(): Promise<void>;
}

/** Input of {@link openServerContext}. */
export interface ServerContextOptions {
  clock: () => Date;
  crypto: Crypto;
  logger: Logger;
  /** Generate CA material and seed the database when missing. Default true; false fails instead. */
  create?: boolean;
  /** Told what takes a while when the CA material is generated (one line each, without newline). */
  progress?: (text: string) => void;
  /** Wraps the store before anything uses it (the metrics observe its calls). */
  wrapStore?: (store: ServerStore) => ServerStore;
}

/**
 * Opens everything the server needs from the data directory: generates the root, issuing and CMP
 * server credentials on first use, opens and migrates the database, stores the initial shared
 * secret into a new database, and signs a first CRL when there is none.
 */
export async function openServerContext(config: ServerConfig, options: ServerContextOptions): Promise<ServerContext> {
  const { clock, logger } = options;
  const catalog = buildCatalog(config);
  const externalTrust = await loadExternalTrust(config.externalAnchors);
  const keys = createKeySource(config, options.crypto, (ref) => readSecretReference(ref, config.dataDir));
  let createdCa = false;
  let loaded: LoadedCaMaterial;
  try {
    if (!(await fileExists(config.ca.certificate))) {
      if (!isGeneratedLayout(config.ca, config.dataDir)) throw new ConfigError(`ca.certificate: ${config.ca.certificate} does not exist`);
      if (options.create === false) {
        throw new Error(`server: no CA in ${config.dataDir}; run 'cmpkit-server init' (or 'start') first`);
      }
      const generated = await createCaMaterial(config.ca, {
        crypto: options.crypto,
        clock,
        ...(options.progress ? { progress: options.progress } : {}),
      });
      await writeCaMaterial(config.dataDir, generated, options.crypto);
      createdCa = true;
      logger.info('created CA material', { dataDir: config.dataDir });
    }
    loaded = await loadCaMaterial(config.ca, {
      dataDir: config.dataDir,
      keys,
      clock,
      ...(options.create === false ? {} : { issueCmpCertificate: config.ca }),
    });
  } catch (error) {
    keys.close();
    throw error;
  }
  const { material, issuedCmpCertificate } = loaded;
  if (issuedCmpCertificate) logger.info('issued the CMP protection certificate', { file: issuedCmpCertificate });
  const crypto = keys.crypto;
  const opened = await openServerStore(config.database, clock, config.durability);
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  try {
    let seededSecret: { reference: string; secret: string } | undefined;
    if (store.migration.from === 0 && config.initialSecret && (await store.secrets.count()) === 0) {
      await store.secrets.add(config.initialSecret.reference, config.initialSecret.secret);
      seededSecret = config.initialSecret;
    }
    const crlUrls = [...catalog.profiles.values()].flatMap((p) => {
      const dp = p.profile.crlDistributionPoint;
      return dp === undefined ? [] : typeof dp === 'string' ? [dp] : [...dp];
    });
    const engineOf = (m: CaMaterial) => {
      const ca = createCertificateAuthority({ ...m.issuing, crypto, clock });
      const crlPublisher = createCrlPublisher({
        ca,
        crls: store.crls,
        validityHours: config.ca.crlValidityHours,
        clock,
      });
      const issuer = createCaIssuer({
        ca,
        rootCertificate: m.root.certificate,
        certificates: store.certificates,
        pending: store.pending,
        rootCaUpdates: store.rootCaUpdates,
        crlPublisher,
        catalog,
        checkAfterSeconds: config.checkAfterSeconds,
        crlUrls,
        clock,
        crypto,
        logger,
      });
      return { ca, crlPublisher, issuer };
    };
    const { ca, crlPublisher, issuer } = engineOf(material);
    const keyDerivation = serverKeyDerivation();
    if (!(await store.crls.current())) await crlPublisher.publish();
    const ctx: ServerContext = {
      config,
      store,
      material,
      externalTrust,
      ca,
      catalog,
      crlPublisher,
      issuer,
      createdCa,
      ...(issuedCmpCertificate ? { issuedCmpCertificate } : {}),
      keys,
      ...(seededSecret ? { seededSecret } : {}),
      clock,
      crypto,
      keyDerivation,
      async reloadMaterial() {
        const reloaded = await loadCaMaterial(config.ca, { dataDir: config.dataDir, keys, clock });
        Object.assign(ctx, { material: reloaded.material, ...engineOf(reloaded.material) });
      },
      async close() {
        try {
          await keyDerivation.deriver.close();
          await store.close();
        } finally {
          keys.close();
        }
      },
    };
    return ctx;
  } catch (error) {
    await store.close();
    keys.close();
    throw error;
  }
}
