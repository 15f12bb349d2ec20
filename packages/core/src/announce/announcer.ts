import type { Logger } from '../runtime.js';
import { silentLogger } from '../runtime.js';
import type { Requester } from '../server/requester.js';
import type { PushChannel, RequestContext } from '../transport.js';
import { buildAnnouncement, type Announcement, type AnnouncementSender } from './announcement.js';
import type { AnnouncementStore, PushUrlStore } from './announcement-store.js';
import { memoryAnnouncementStore } from './memory-announcement-store.js';
import { recipientKeyOfRequester, recipientNameOf } from './recipient-key.js';

/**
 * POSTs one announcement to a URL (RFC 9811 section 3.7); resolves when the receiver took it
 * (201 or 202), rejects otherwise. `postAnnouncement` of `@cmpkit/transport-http` is one.
 */
export type AnnouncementPoster = (url: string, message: Uint8Array) => Promise<unknown>;

/** Construction input of {@link createAnnouncer}. */
export interface AnnouncerInit extends AnnouncementSender {
  /** Announcements not yet delivered. Default: in memory (lost on restart, not shared). */
  store?: AnnouncementStore;
  /** HTTP push to registered URLs, for end entities that are not connected. */
  httpPush?: { store: PushUrlStore; post: AnnouncementPoster };
  /** Default: no logging. */
  logger?: Logger;
}

/** How an announcement went to one recipient. */
export interface Delivery {
  recipient: string;
  /** The store's id of the announcement. */
  id: string;
  /** `pushed` on a live connection, `posted` to a push URL, `stored` until the recipient is reachable. */
  route: 'pushed' | 'posted' | 'stored';
}

/** Delivers announcements to end entities: now when reachable, else when they next connect. */
export interface Announcer {
  /**
   * The hook for `createServer({ onAuthenticated })`: an end entity whose protected request was
   * verified on a connection that can push becomes reachable there, and gets what is pending.
   */
  onAuthenticated(requester: Requester, context: RequestContext): void;
  /** Makes `recipient` reachable on `channel` until it closes, and delivers what is pending. */
  connect(recipient: string, channel: PushChannel): void;
  /** Builds, protects and stores an announcement for `recipient`, and delivers it if it can. */
  announce(recipient: string, announcement: Announcement): Promise<Delivery>;
  /** Stores an already protected announcement (DER) for `recipient`, and delivers it if it can. */
  enqueue(recipient: string, message: Uint8Array): Promise<Delivery>;
  /**
   * Announces to every known recipient (the store's, the connected ones and those with a push
   * URL): one message with the NULL-DN as recipient. For ckuann and crlann.
   */
  broadcast(announcement: Announcement): Promise<Delivery[]>;
  /**
   * Delivers what is pending for every connected recipient and every one with a push URL, e.g.
   * what another process put into a shared store. Resolves to the number delivered. Call it
   * periodically; the core runs no timers.
   */
  flush(): Promise<number>;
  /** The recipients with at least one live connection. */
  connected(): string[];
  /** Resolves when the deliveries started so far (by connections and announcements) have ended. */
  idle(): Promise<void>;
}

/**
 * Creates an announcer (RFC 9810 sections 5.3.13 to 5.3.16). Every announcement is stored first
 * and marked delivered once a connection took it (or a push URL answered 201/202), so delivery
 * is at least once: a client drops duplicates by senderNonce. Announcements of one recipient go
 * out in the order they were stored, one at a time.
 *
 * @example
 * ```ts
 * const announcer = createAnnouncer({ name: caName, credential: signer, store });
 * const server = createServer({ ..., onAuthenticated: announcer.onAuthenticated });
 * await announcer.announce(recipientKeyOf(subject), { type: 'cann', certificate });
 * ```
 */
export function createAnnouncer(init: AnnouncerInit): Announcer {
  const store = init.store ?? memoryAnnouncementStore();
  const logger = init.logger ?? silentLogger;
  const clock = init.clock ?? (() => new Date());
  /** recipient -> channel id -> channel, most recent last. */
  const live = new Map<string, Map<string, PushChannel>>();
  /** recipient -> the end of its delivery chain. */
  const chains = new Map<string, Promise<Map<string, Delivery['route']>>>();
  const running = new Set<Promise<unknown>>();

  const track = <T>(promise: Promise<T>): Promise<T> => {
    running.add(promise);
    const done = (): void => {
      running.delete(promise);
    };
    promise.then(done, done);
    return promise;
  };

  const drop = (recipient: string, id: string): void => {
    const channels = live.get(recipient);
    channels?.delete(id);
    if (channels && channels.size === 0) live.delete(recipient);
  };

  async function sendOne(recipient: string, message: Uint8Array): Promise<Delivery['route'] | undefined> {
    const channels = [...(live.get(recipient)?.values() ?? [])].reverse();
    for (const channel of channels) {
      try {
        await channel.send(message);
        return 'pushed';
      } catch (error) {
        logger.info('cmp: push failed, connection dropped', { recipient, connection: channel.id, error: String(error) });
        drop(recipient, channel.id);
      }
    }
    if (init.httpPush) {
      for (const url of await init.httpPush.store.urls(recipient)) {
        try {
          await init.httpPush.post(url, message);
          return 'posted';
        } catch (error) {
          logger.info('cmp: HTTP push failed', { recipient, url, error: String(error) });
        }
      }
    }
    return undefined;
  }

  /** Whether anything could reach `recipient` now: a live connection, or a push URL. */
  async function reachable(recipient: string): Promise<boolean> {
    if (live.has(recipient)) return true;
    return init.httpPush !== undefined && (await init.httpPush.store.urls(recipient)).length > 0;
  }

  async function deliverPending(recipient: string): Promise<Map<string, Delivery['route']>> {
    const routes = new Map<string, Delivery['route']>();
    // Without a route nothing goes out: reading what waits for an offline recipient (every
    // broadcast to every offline one) would cost reads that grow with the backlog, for nothing.
    if (!(await reachable(recipient))) return routes;
    for (const entry of await store.pending(recipient)) {
      const route = await sendOne(recipient, entry.message);
      if (!route) break; // keep the order: the rest waits for the next chance
      await store.delivered(entry.id);
      routes.set(entry.id, route);
    }
    return routes;
  }

  /** Runs the delivery of `recipient` after the one in progress, so entries go out once and in order. */
  function deliver(recipient: string): Promise<Map<string, Delivery['route']>> {
    const previous = chains.get(recipient) ?? Promise.resolve(new Map());
    const next = previous.catch(() => undefined).then(() => deliverPending(recipient));
    chains.set(recipient, next);
    const forget = (): void => {
      if (chains.get(recipient) === next) chains.delete(recipient);
    };
    next.then(forget, forget);
    return track(next);
  }

  const background = (promise: Promise<unknown>, what: string): void => {
    track(promise).catch((error: unknown) => logger.error(`cmp: ${what} failed`, { error: String(error) }));
  };

  async function enqueue(recipient: string, message: Uint8Array): Promise<Delivery> {
    const id = await store.enqueue(recipient, message, clock().getTime());
    const routes = await deliver(recipient);
    return { recipient, id, route: routes.get(id) ?? 'stored' };
  }

  const announcer: Announcer = {
    onAuthenticated(requester, context) {
      if (!context.push) return;
      const recipient = recipientKeyOfRequester(requester);
      if (recipient !== undefined) announcer.connect(recipient, context.push);
    },

    connect(recipient, channel) {
      const channels = live.get(recipient) ?? new Map<string, PushChannel>();
      const known = channels.has(channel.id);
      channels.delete(channel.id);
      channels.set(channel.id, channel);
      live.set(recipient, channels);
      if (!known) {
        void channel.closed.then(() => {
          if (live.get(recipient)?.get(channel.id) === channel) drop(recipient, channel.id);
        });
        background(store.addRecipient(recipient), 'recording a recipient');
      }
      background(deliver(recipient), 'delivering pending announcements');
    },

    async announce(recipient, announcement) {
      return enqueue(recipient, await buildAnnouncement(announcement, init, recipientNameOf(recipient)));
    },

    enqueue,

    async broadcast(announcement) {
      const recipients = new Set([
        ...(await store.recipients()),
        ...live.keys(),
        ...(init.httpPush ? await init.httpPush.store.recipients() : []),
      ]);
      if (!recipients.size) return [];
      const message = await buildAnnouncement(announcement, init);
      return Promise.all([...recipients].map((recipient) => enqueue(recipient, message)));
    },

    async flush() {
      const recipients = new Set([...live.keys(), ...(init.httpPush ? await init.httpPush.store.recipients() : [])]);
      const delivered = await Promise.all([...recipients].map((recipient) => deliver(recipient)));
      return delivered.reduce((sum, routes) => sum + routes.size, 0);
    },

    connected() {
      return [...live.keys()];
    },

    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
  return announcer;
}
