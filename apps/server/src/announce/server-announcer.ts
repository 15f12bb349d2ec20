import { parseName } from '@cmpkit/codec';
import { createAnnouncer, type Announcer } from '@cmpkit/core';
import type { Logger } from '../log/logger.js';
import type { Credential } from '../pki/ca-material.js';
import type { ServerContext } from '../server/server-context.js';
import { postAnnouncement } from './post-announcement.js';

/**
 * The announcer of the sample CA: announcements are signed with the CMP server's key (the key
 * that protects its responses), kept in the SQLite store until delivered, pushed on TCP and
 * WebSocket connections where the end entity authenticated, and POSTed to the URLs registered
 * with `cmpkit-server subscriber add`. `signer` overrides the CMP server credential (a root
 * rollover signs its ckuann with the chain to the old root).
 */
export function createServerAnnouncer(ctx: ServerContext, logger: Logger, signer: Credential = ctx.material.cmpServer): Announcer {
  return createAnnouncer({
    name: parseName(ctx.config.ca.serverSubject),
    credential: { privateKey: signer.privateKey, certificate: signer.certificate, chain: signer.chain },
    store: ctx.store.announcements,
    httpPush: { store: ctx.store.pushSubscribers, post: postAnnouncement },
    clock: ctx.clock,
    crypto: ctx.crypto,
    logger,
  });
}
