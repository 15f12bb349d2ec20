import type { Announcer } from '@cmpkit/core';
import type { Logger } from '../log/logger.js';
import type { ServerContext } from '../server/server-context.js';
import { announceNewCrl } from './crl-announcement.js';
import { createServerAnnouncer } from './server-announcer.js';

/** How often delivered and expired announcements are deleted. */
const PRUNE_INTERVAL_MS = 3_600_000;

/** Announcement delivery of a running server. */
export interface AnnouncementService {
  readonly announcer: Announcer;
  /** Stops the safety-net timer and the wake-ups, and resolves when the deliveries in flight have ended. */
  close(): Promise<void>;
}

/** Input of {@link startAnnouncementService}. */
export interface AnnouncementServiceOptions {
  /** Rebuilds what depends on the CA material (the CMP engine) after it was loaded again. */
  onMaterialReloaded(): void;
  /** Whether this process deletes old announcements (one process of a cluster is enough). */
  prunes: boolean;
}

/**
 * Delivers announcements for a running server: at once when stored here, when the store's
 * wake-up says another process (an admin command, another instance) stored some, and when an
 * end entity authenticates on a connection that can push. Before an announcement newer than
 * the last look goes out, a root CA key update stored with it is loaded (the new CA material is
 * in use before any end entity acts on the ckuann). A timer every `announcementFlushSeconds` is
 * the safety net (a lost wake-up, retries that came due, subscribers the storing process left
 * behind), announces CRLs this server signed itself, and prunes what `announcements` no longer
 * keeps.
 */
export async function startAnnouncementService(
  ctx: ServerContext,
  logger: Logger,
  options: AnnouncementServiceOptions,
): Promise<AnnouncementService> {
  const { config } = ctx;
  let rootUpdate = (await ctx.store.rootCaUpdates.latest())?.createdAt.getTime();
  let loading: Promise<void> = Promise.resolve();
  /** Looks for a newer root CA key update, and loads it; each call reads after it was made. */
  const loadNewRoot = (): Promise<void> => {
    const check = async (): Promise<void> => {
      const latest = (await ctx.store.rootCaUpdates.latest())?.createdAt.getTime();
      if (latest === rootUpdate) return;
      await ctx.reloadMaterial();
      options.onMaterialReloaded();
      rootUpdate = latest;
      logger.info('loaded the new root CA', { dataDir: config.dataDir });
    };
    loading = loading.catch(() => undefined).then(check);
    return loading;
  };

  const announcer = createServerAnnouncer(ctx, logger, { wakeups: ctx.store.announcementWakeups, beforeDelivery: loadNewRoot });
  let lastPrune = 0;
  const prune = async (): Promise<void> => {
    const now = ctx.clock().getTime();
    if (!options.prunes || now - lastPrune < PRUNE_INTERVAL_MS) return;
    lastPrune = now;
    const pruned = await ctx.store.announcements.prune({
      deliveredBefore: now - config.announcements.retainDeliveredHours * 3_600_000,
      expiredBefore: now - config.announcements.expireAfterDays * 86_400_000,
    });
    if (pruned > 0) logger.info('deleted old announcements', { count: pruned });
  };
  const tick = async (): Promise<void> => {
    await loadNewRoot();
    const crl = await announceNewCrl(ctx, announcer);
    if (crl) logger.info('announced a new CRL', { crlNumber: crl.crlNumber, recipients: crl.deliveries.recipients });
    const delivered = await announcer.flush();
    if (delivered > 0) logger.info('announcements delivered by the safety net', { count: delivered });
    await prune();
  };
  let ticking: Promise<void> | undefined;
  const timer = setInterval(() => {
    ticking ??= tick()
      .catch((error: unknown) => logger.error('delivering announcements failed', { error }))
      .finally(() => {
        ticking = undefined;
      });
  }, config.announcementFlushSeconds * 1000);
  timer.unref();

  return {
    announcer,
    async close() {
      clearInterval(timer);
      announcer.close();
      await ticking;
      await announcer.idle();
    },
  };
}
