import { parseCertificate } from '@cmpkit/protection';
import { createServer, type CmpServer, type SecretStore, type ServerInit, type ServerPolicy } from '@cmpkit/core';
import { demoteInfo, type Logger } from '../log/logger.js';
import { nodeAlgorithms } from '../pki/node-algorithms.js';
import type { ServerContext } from './server-context.js';

/** What the serving process adds to the engine: its hooks, and shared secrets of its own. */
export type CmpServiceExtras = Pick<ServerInit, 'onAuthenticated' | 'onExchange'> & {
  /** The secrets to authenticate MAC-protected requests with, instead of the stored ones alone. */
  secrets?: SecretStore;
};

/**
 * The CMP engine on the server's context: responses are sent in the name of (and, for
 * signature-protected requests, signed with) the CMP server certificate; requests are
 * authenticated with the stored shared secrets or a certificate path to the server's root; the
 * transactions and nonces live in SQLite. Roots replaced by `ca rollover` stay trust anchors.
 */
export function createCmpService(ctx: ServerContext, logger: Logger, extras: CmpServiceExtras = {}): CmpServer {
  const { config, material, store } = ctx;
  const policy: ServerPolicy = { ...config.policy };
  return createServer({
    name: parseCertificate(material.cmpServer.certificate).subject,
    protection: {
      signer: {
        privateKey: material.cmpServer.privateKey,
        certificate: material.cmpServer.certificate,
        chain: material.cmpServer.chain,
      },
      secrets: extras.secrets ?? store.secrets,
      macResponses: config.macResponses,
      macBounds: config.macBounds,
      ...(config.responseMac === 'request' ? {} : { mac: { algorithm: config.responseMac } }),
      trustAnchors: [material.root.certificate, ...material.previousRoots],
      ...(ctx.externalTrust.length ? { externalTrust: ctx.externalTrust } : {}),
      untrusted: [material.issuing.certificate, ...material.issuing.chain],
      algorithms: nodeAlgorithms,
      // KEM-based MAC (RFC 9810 5.1.3.4): responses to requests that encapsulate to the server's
      // ML-KEM key, and requests of end entities that hold an ML-KEM certificate.
      ...(material.cmpServerKem
        ? { kem: { privateKey: material.cmpServerKem.privateKey, certificate: material.cmpServerKem.certificate } }
        : {}),
      kemClients: true,
    },
    issuer: ctx.issuer,
    stores: { transactions: store.transactions, nonces: store.nonces },
    keyDerivation: ctx.keyDerivation,
    policy,
    clock: ctx.clock,
    crypto: ctx.crypto,
    logger: demoteInfo(logger),
    ...(extras.onAuthenticated ? { onAuthenticated: extras.onAuthenticated } : {}),
    ...(extras.onExchange ? { onExchange: extras.onExchange } : {}),
  });
}
