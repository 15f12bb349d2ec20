import { parseCertificate } from '@cmpkit/protection';
import { createAnnouncer, type Announcer, type AnnouncerInit } from '@cmpkit/core';
import { postAnnouncement } from '@cmpkit/transport-http';
import type { Logger } from '../log/logger.js';
import type { Credential } from '../pki/ca-material.js';
import type { ServerContext } from '../server/server-context.js';

/** How long a subscriber may take to answer a pushed announcement. */
const PUSH_TIMEOUT_MS = 10_000;

/** What the running server adds to the announcer of the admin commands. */
export interface ServerAnnouncerOptions {
  /** Signs with this instead of the CMP server credential (a root rollover signs its ckuann with the chain to the old root). */
  signer?: Credential;
  /** The store's wake-ups: the running server hears at once what other processes stored. */
  wakeups?: AnnouncerInit['wakeups'];
  /** Loads the CA material newer announcements depend on before they go out. */
  beforeDelivery?: AnnouncerInit['beforeDelivery'];
}

/**
 * The announcer of the sample CA: announcements are signed with the CMP server's key (the key
 * that protects its responses), kept in the store until delivered, pushed on TCP and WebSocket
 * connections where the end entity authenticated, and POSTed to the URLs registered with
 * `cmpkit-server subscriber add`; failed deliveries are retried as `announcements` configures
 * and then moved aside (`cmpkit-server announcements dead-letter`).
 */
export function createServerAnnouncer(ctx: ServerContext, logger: Logger, options: ServerAnnouncerOptions = {}): Announcer {
  const { announcements } = ctx.config;
  return createAnnouncer({
    get name() {
      return parseCertificate((options.signer ?? ctx.material.cmpServer).certificate).subject;
    },
    // Read at each announcement, so a running server signs with the chain of the material it
    // has reloaded after a rollover.
    get credential() {
      const { privateKey, certificate, chain } = options.signer ?? ctx.material.cmpServer;
      return { privateKey, certificate, chain };
    },
    store: ctx.store.announcements,
    httpPush: { store: ctx.store.pushSubscribers, post: (url, message) => postAnnouncement(url, message, { timeoutMs: PUSH_TIMEOUT_MS }) },
    retry: {
      maxAttempts: announcements.maxAttempts,
      initialDelayMs: announcements.retrySeconds * 1000,
      maxDelayMs: announcements.maxRetrySeconds * 1000,
    },
    ...(options.wakeups ? { wakeups: options.wakeups } : {}),
    ...(options.beforeDelivery ? { beforeDelivery: options.beforeDelivery } : {}),
    clock: ctx.clock,
    crypto: ctx.crypto,
    logger,
  });
}
