import { parseCertificate } from '@cmpkit/protection';
import { createAnnouncer, type Announcer } from '@cmpkit/core';
import { postAnnouncement } from '@cmpkit/transport-http';
import type { Logger } from '../log/logger.js';
import type { Credential } from '../pki/ca-material.js';
import type { ServerContext } from '../server/server-context.js';

/** How long a subscriber may take to answer a pushed announcement. */
const PUSH_TIMEOUT_MS = 10_000;

/**
 * The announcer of the sample CA: announcements are signed with the CMP server's key (the key
 * that protects its responses), kept in the SQLite store until delivered, pushed on TCP and
 * WebSocket connections where the end entity authenticated, and POSTed to the URLs registered
 * with `cmpkit-server subscriber add`. `signer` overrides the CMP server credential (a root
 * rollover signs its ckuann with the chain to the old root).
 */
export function createServerAnnouncer(ctx: ServerContext, logger: Logger, signer?: Credential): Announcer {
  return createAnnouncer({
    get name() {
      return parseCertificate((signer ?? ctx.material.cmpServer).certificate).subject;
    },
    // Read at each announcement, so a running server signs with the chain of the material it
    // has reloaded after a rollover.
    get credential() {
      const { privateKey, certificate, chain } = signer ?? ctx.material.cmpServer;
      return { privateKey, certificate, chain };
    },
    store: ctx.store.announcements,
    httpPush: { store: ctx.store.pushSubscribers, post: (url, message) => postAnnouncement(url, message, { timeoutMs: PUSH_TIMEOUT_MS }) },
    clock: ctx.clock,
    crypto: ctx.crypto,
    logger,
  });
}
