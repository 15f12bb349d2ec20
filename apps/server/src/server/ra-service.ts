import { resolve } from 'node:path';
import { parseName } from '@cmpkit/codec';
import {
  createClient,
  createRegistrationAuthority,
  type CmpServer,
  type ExternalTrust,
  type KeyDerivationSettings,
  type SecretStore,
  type ServerInit,
  type ServerPolicy,
} from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';
import type { ServerConfig } from '../config/server-config.js';
import { demoteInfo, type Logger } from '../log/logger.js';
import type { RaFiles, RaMaterial } from '../pki/ra-material.js';
import type { ServerStore } from '@cmpkit/issuer';

/** The RA's files from the configuration, absolute (relative ones are inside dataDir). */
export function raFilesOf(config: ServerConfig): RaFiles {
  return {
    certificate: resolve(config.dataDir, config.ra.certificate),
    key: resolve(config.dataDir, config.ra.key),
    trustAnchors: resolve(config.dataDir, config.ra.trustAnchors),
  };
}

/** What the RA service runs on. */
export interface RaServiceInit {
  config: ServerConfig;
  material: RaMaterial;
  store: ServerStore;
  /** The CA's CMP URL. */
  upstream: string;
  externalTrust: readonly ExternalTrust[];
  clock: () => Date;
  crypto: Crypto;
  logger: Logger;
  /** Password-based key derivations of device requests. */
  keyDerivation: KeyDerivationSettings;
  /** The secrets to authenticate devices with, instead of the stored ones alone (`serve --secret`). */
  secrets?: SecretStore;
  onExchange?: ServerInit['onExchange'];
}

/**
 * The registration authority on the server's configuration (core's createRegistrationAuthority):
 * devices are authenticated with the RA's shared secrets (its own database) or a certificate path
 * to the CA's root; requests go to `upstream` over HTTP, protected by the RA certificate, in the
 * configured mode.
 */
export function createRaService(init: RaServiceInit): CmpServer {
  const { config, material, store, clock, crypto, logger } = init;
  const credential = { privateKey: material.privateKey, certificate: material.certificate, chain: material.chain };
  const upstream = createClient({
    transport: httpTransport({ url: init.upstream }),
    credential,
    trust: { signature: { anchors: material.trustAnchors, untrusted: material.chain } },
    trustAnchors: material.trustAnchors,
    untrusted: material.chain,
    clock,
    crypto,
    logger: demoteInfo(logger),
  });
  const ra = config.ra;
  const policy: ServerPolicy = { ...config.policy };
  return createRegistrationAuthority({
    name: parseName(ra.subject),
    protection: {
      signer: credential,
      secrets: init.secrets ?? store.secrets,
      macResponses: config.macResponses,
      macBounds: config.macBounds,
      ...(config.responseMac === 'request' ? {} : { mac: { algorithm: config.responseMac } }),
      trustAnchors: material.trustAnchors,
      ...(init.externalTrust.length ? { externalTrust: init.externalTrust } : {}),
      untrusted: material.chain,
    },
    upstream,
    mode: ra.mode,
    ...(ra.batching ? { batching: { maxBatchSize: ra.batching.maxSize, maxDelayMs: ra.batching.maxDelayMs } } : {}),
    ...(ra.delayedDelivery ? { delayedDelivery: ra.delayedDelivery } : {}),
    stores: { transactions: store.transactions, nonces: store.nonces },
    keyDerivation: init.keyDerivation,
    policy,
    ...(init.onExchange ? { onExchange: init.onExchange } : {}),
    clock,
    crypto,
    logger: demoteInfo(logger),
  });
}
