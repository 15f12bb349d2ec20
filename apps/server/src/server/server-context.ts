import { readFile } from 'node:fs/promises';
import { createCertificateAuthority, type CertificateAuthority } from '@cmpkit/ca';
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
import { pemBlocks } from '../pki/pem.js';
import { createCaMaterial, loadCaMaterial, writeCaMaterial, type CaMaterial } from '../pki/ca-material.js';
import { openServerStore } from '../config/open-server-store.js';
import { serverKeyDerivation, type ServerKeyDerivation } from './key-derivation.js';

/** What a command works with: the configuration, the open store, the CA and the issuer. */
export interface ServerContext {
  config: ServerConfig;
  store: ServerStore;
  material: CaMaterial;
  /** The manufacturer root certificates of `externalAnchors` (DER). */
  externalAnchors: Uint8Array[];
  ca: CertificateAuthority;
  catalog: ProfileCatalog;
  crlPublisher: CrlPublisher;
  issuer: CaIssuer;
  /** True when this call generated the CA material. */
  createdCa: boolean;
  /** The shared secret stored because the database was new (print it once). */
  seededSecret?: { reference: string; secret: string };
  clock: () => Date;
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
}

/**
 * Opens everything the server needs from the data directory: generates the root, issuing and CMP
 * server credentials on first use, opens and migrates the database, stores the initial shared
 * secret into a new database, and signs a first CRL when there is none.
 */
export async function openServerContext(config: ServerConfig, options: ServerContextOptions): Promise<ServerContext> {
  const { clock, crypto, logger } = options;
  const catalog = buildCatalog(config);
  const externalAnchors = await loadExternalAnchors(config.externalAnchors);
  let material = await loadCaMaterial(config.dataDir, crypto);
  let createdCa = false;
  if (!material) {
    if (options.create === false) {
      throw new Error(`server: no CA in ${config.dataDir}; run 'cmpkit-server init' (or 'start') first`);
    }
    material = await createCaMaterial(config.ca, { crypto, clock });
    await writeCaMaterial(config.dataDir, material, crypto);
    delete material.root.privateKey; // the running server never holds the root key
    createdCa = true;
    logger.info('created CA material', { dataDir: config.dataDir });
  }
  const store = await openServerStore(config.database, clock, config.durability);
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
      externalAnchors,
      ca,
      catalog,
      crlPublisher,
      issuer,
      createdCa,
      ...(seededSecret ? { seededSecret } : {}),
      clock,
      crypto,
      keyDerivation,
      async reloadMaterial() {
        const reloaded = await loadCaMaterial(config.dataDir, crypto);
        if (!reloaded) throw new Error(`server: the CA material in ${config.dataDir} is gone`);
        Object.assign(ctx, { material: reloaded, ...engineOf(reloaded) });
      },
      async close() {
        await keyDerivation.deriver.close();
        await store.close();
      },
    };
    return ctx;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The certificates of the `externalAnchors` PEM files; a file without one is a configuration error. */
export async function loadExternalAnchors(files: readonly string[]): Promise<Uint8Array[]> {
  const anchors: Uint8Array[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new ConfigError(`externalAnchors: cannot read ${file}: ${(cause as Error).message}`, { cause });
    }
    const certificates = pemBlocks(text, 'CERTIFICATE');
    if (certificates.length === 0) throw new ConfigError(`externalAnchors: ${file} holds no CERTIFICATE`);
    anchors.push(...certificates);
  }
  return anchors;
}
