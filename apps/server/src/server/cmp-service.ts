import { parseName } from '@cmpkit/codec';
import { createServer, type CmpServer, type ServerInit, type ServerPolicy } from '@cmpkit/core';
import { demoteInfo, type Logger } from '../log/logger.js';
import { nodeAlgorithms } from '../pki/node-algorithms.js';
import type { ServerContext } from './server-context.js';

/**
 * The CMP engine on the server's context: responses are sent in the name of (and, for
 * signature-protected requests, signed with) the CMP server certificate; requests are
 * authenticated with the stored shared secrets or a certificate path to the server's root; the
 * transactions and nonces live in SQLite. Roots replaced by `ca rollover` stay trust anchors.
 */
export function createCmpService(ctx: ServerContext, logger: Logger, hooks: Pick<ServerInit, 'onAuthenticated'> = {}): CmpServer {
  const { config, material, store } = ctx;
  const policy: ServerPolicy = { ...config.policy };
  return createServer({
    name: parseName(config.ca.serverSubject),
    protection: {
      signer: {
        privateKey: material.cmpServer.privateKey,
        certificate: material.cmpServer.certificate,
        chain: material.cmpServer.chain,
      },
      secrets: store.secrets,
      macResponses: config.macResponses,
      macBounds: config.macBounds,
      ...(config.responseMac === 'request' ? {} : { mac: { algorithm: config.responseMac } }),
      trustAnchors: [material.root.certificate, ...material.previousRoots],
      ...(ctx.externalAnchors.length ? { externalAnchors: ctx.externalAnchors } : {}),
      untrusted: [material.issuing.certificate, ...material.links],
      algorithms: nodeAlgorithms,
    },
    issuer: ctx.issuer,
    stores: { transactions: store.transactions, nonces: store.nonces },
    policy,
    clock: ctx.clock,
    crypto: ctx.crypto,
    logger: demoteInfo(logger),
    ...hooks,
  });
}
