import type { Logger } from '../runtime.js';
import { silentLogger } from '../runtime.js';
import type { Requester } from '../server/requester.js';
import type { PushChannel, RequestContext } from '../transport.js';
import { buildAnnouncement, type Announcement, type AnnouncementSender } from './announcement.js';
import type { AnnouncementStore, PushUrlStore, QueuedAnnouncement, RecipientBacklog } from './announcement-store.js';
import type { AnnouncementWakeups } from './announcement-wakeups.js';
import { memoryAnnouncementStore } from './memory-announcement-store.js';
import { recipientKeyOfRequester, recipientNameOf } from './recipient-key.js';
import { RecipientLanes } from './recipient-lanes.js';

/**
 * POSTs one announcement to a URL (RFC 9811 section 3.7); resolves when the receiver took it
 * (201 or 202), rejects otherwise. `postAnnouncement` of `@cmpkit/transport-http` is one.
 */
export type AnnouncementPoster = (url: string, message: Uint8Array) => Promise<unknown>;

/** How often, and how far apart, a delivery that failed is tried again before it is moved aside. */
export interface AnnouncementRetry {
  /** Tries of one entry to one recipient before it becomes a dead letter (default 5). */
  maxAttempts?: number;
  /** The wait after the first failed try, doubled after each further one (default 30 s). */
  initialDelayMs?: number;
  /** The longest wait between two tries (default 1 hour). */
  maxDelayMs?: number;
}

/** Construction input of {@link createAnnouncer}. */
export interface AnnouncerInit extends AnnouncementSender {
  /** Announcements and delivery state. Default: in memory (lost on restart, not shared). */
  store?: AnnouncementStore;
  /** HTTP push to registered URLs, for end entities that are not connected. */
  httpPush?: { store: PushUrlStore; post: AnnouncementPoster };
  /**
   * Tells the announcer at once when another process stored announcements in the shared store,
   * so that they reach this process's connections without waiting for {@link Announcer.flush}.
   */
  wakeups?: AnnouncementWakeups;
  /** Retries of failed deliveries and when to give up on an entry (dead letter). */
  retry?: AnnouncementRetry;
  /**
   * Called before the first delivery of any entry newer than those seen at its previous call,
   * and awaited: the place to load what such an entry may depend on (after a root CA key update,
   * the server's new CA material must be in use before the ckuann reaches anyone, since end
   * entities act on it at once). The store makes an entry visible only after what was committed
   * before it, so whatever the entry's author wrote first is there to be loaded.
   */
  beforeDelivery?: () => Promise<void>;
  /**
   * How long an entry another process stored waits for that process to POST it to the
   * recipient's push URLs before {@link Announcer.flush} does (default 60 s): the process that
   * stores an entry tries at once, and only a failure or its end leaves the entry to others.
   */
  httpPushGraceMs?: number;
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

/** How a broadcast went: stored once for every known recipient, and delivered to those reachable now. */
export interface BroadcastResult {
  /** The store's id of the announcement. */
  id: string;
  /** The recipients it is stored for (every recipient known when it was stored). */
  recipients: number;
  /** Delivered at once on a live connection. */
  pushed: number;
  /** Delivered at once to a push URL. */
  posted: number;
}

/** Delivers announcements to end entities: now when reachable, else when they next connect. */
export interface Announcer {
  /**
   * The hook for `createServer({ onAuthenticated })`: an end entity whose protected request was
   * verified on a connection that can push becomes reachable there ({@link connect}), and gets
   * what is pending. The server awaits it, so the end entity's answer leaves only once it is
   * recorded; when the store cannot record it, the request is refused and the client tries again.
   */
  onAuthenticated(requester: Requester, context: RequestContext): Promise<void> | undefined;
  /**
   * Makes `recipient` reachable on `channel` until it closes, and delivers what is pending.
   * Resolves once the store has recorded the recipient (so that broadcasts stored from then on
   * reach it); when that fails, the channel is not used and the promise rejects, for the caller
   * to refuse the request (or close the channel) so that the end entity connects again.
   */
  connect(recipient: string, channel: PushChannel): Promise<void>;
  /** Builds, protects and stores an announcement for `recipient`, and delivers it if it can. */
  announce(recipient: string, announcement: Announcement): Promise<Delivery>;
  /** Stores an already protected announcement (DER) for `recipient`, and delivers it if it can. */
  enqueue(recipient: string, message: Uint8Array): Promise<Delivery>;
  /**
   * Announces to every known recipient (those the store recorded, which includes every end entity
   * that ever connected, and those with a push URL): one message with the NULL-DN as recipient,
   * stored once. For ckuann and crlann.
   */
  broadcast(announcement: Announcement): Promise<BroadcastResult>;
  /**
   * Puts a dead letter back at the end of the recipient's queue and delivers it if it can (the
   * operator's "try again"); undefined when there is no such dead letter.
   */
  requeue(recipient: string, id: string): Promise<Delivery | undefined>;
  /**
   * The safety net, for the application to call now and then (the core runs no timers): catches
   * up with what other processes stored (should a wake-up have been lost), tries again the
   * deliveries whose retry time has come and those to live connections that ended in an error
   * (the store failed to read or write), and POSTs to push URLs what the process that stored it
   * left behind (see {@link AnnouncerInit.httpPushGraceMs}). Resolves to the number delivered.
   */
  flush(): Promise<number>;
  /** The recipients with at least one live connection. */
  connected(): string[];
  /** Resolves when the deliveries started so far (by connections, wake-ups and announcements) have ended. */
  idle(): Promise<void>;
  /** Stops listening to wake-ups. Live connections are left to their transports. */
  close(): void;
}

type Route = Delivery['route'];

/** How one delivery run may go. */
interface RunOptions {
  /** `channels`: live connections only (an entry another process stored, which that process POSTs). */
  routes: 'all' | 'channels';
  /** Try even when the first entry's retry time has not come (a new connection is a new chance). */
  force: boolean;
  /** What a bulk read found, valid while the lane was reserved. */
  backlog?: RecipientBacklog | undefined;
}

const mergeOptions = (queued: RunOptions, asked: RunOptions): RunOptions => ({
  routes: queued.routes === 'all' || asked.routes === 'all' ? 'all' : 'channels',
  force: queued.force || asked.force,
});

/** Recipients read in one bulk query when many are woken at once (a broadcast). */
const BULK = 500;
/** Entries read per {@link AnnouncementStore.changes} call. */
const CHANGES_PAGE = 1000;
/** Messages kept in memory by id (a broadcast's message is read once for all its recipients). */
const MESSAGE_CACHE = 32;
/** Ids of entries stored here that a catch-up should skip, at most (an application that never catches up forgets the oldest). */
const MAX_OWN_IDS = 10_000;

/**
 * Creates an announcer (RFC 9810 sections 5.3.13 to 5.3.16). Every announcement is stored first
 * and marked delivered once a connection took it (or a push URL answered 201/202), so delivery
 * is at least once: a client drops duplicates by senderNonce. Announcements of one recipient go
 * out in the order they were stored, one at a time; one that fails `retry.maxAttempts` times is
 * moved aside (a dead letter, see {@link AnnouncementStore.deadLetters}) so that the later ones
 * can go out.
 *
 * Nothing is polled per connection: an announcement stored here is delivered at once, one stored
 * by another process when `wakeups` says so, and a connection gets its backlog when it
 * authenticates. {@link Announcer.flush} is the safety net.
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
  const maxAttempts = init.retry?.maxAttempts ?? 5;
  const initialDelayMs = init.retry?.initialDelayMs ?? 30_000;
  const maxDelayMs = init.retry?.maxDelayMs ?? 3_600_000;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new RangeError('core: retry.maxAttempts must be an integer >= 1');
  if (!(initialDelayMs >= 0 && maxDelayMs >= initialDelayMs))
    throw new RangeError('core: retry delays must be >= 0, maxDelayMs >= initialDelayMs');
  const httpPushGraceMs = init.httpPushGraceMs ?? 60_000;

  /** recipient -> live channels, most recent last. */
  const live = new Map<string, PushChannel[]>();
  const running = new Set<Promise<unknown>>();
  const messageCache = new Map<string, Uint8Array>();
  /**
   * Recipients whose last delivery run ended in an error rather than a recorded failure (the store
   * threw): nothing in the store says they wait, so {@link Announcer.flush} tries them again.
   */
  const stalled = new Set<string>();
  /** Records of a recipient on a channel under way, by `channel id \n recipient`. */
  const recording = new Map<string, Promise<void>>();
  /** Ids this announcer stored itself: catching up skips them (they were delivered here already). */
  const ownIds = new Set<string>();
  /** The last id {@link catchUp} has looked at. */
  let seen: string | undefined;
  let catchingUp: Promise<number> | undefined;
  let catchUpAgain = false;
  /** The highest id {@link AnnouncerInit.beforeDelivery} has run for, and the highest id met. */
  let preparedThrough = init.beforeDelivery ? -1 : Infinity;
  let highestMet = -1;
  let preparing: Promise<void> | undefined;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    running.add(promise);
    const done = (): void => {
      running.delete(promise);
    };
    promise.then(done, done);
    return promise;
  };
  const background = (promise: Promise<unknown>, what: string): void => {
    track(promise).catch((error: unknown) => logger.error(`cmp: ${what} failed`, { error: String(error) }));
  };

  const drop = (recipient: string, channelId: string): void => {
    const channels = live.get(recipient);
    if (!channels) return;
    const remaining = channels.filter((c) => c.id !== channelId);
    if (remaining.length) live.set(recipient, remaining);
    else live.delete(recipient);
  };

  const retryDelay = (attempts: number): number => Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempts - 1));

  /** Runs `beforeDelivery` once for every entry newer than those it ran for. */
  async function prepared(id: string): Promise<void> {
    const n = Number(id);
    highestMet = Math.max(highestMet, n);
    while (n > preparedThrough) {
      if (!preparing) {
        const target = highestMet;
        preparing = init.beforeDelivery!().then(
          () => {
            preparedThrough = Math.max(preparedThrough, target);
            preparing = undefined;
          },
          (error: unknown) => {
            preparing = undefined;
            throw error;
          },
        );
      }
      await preparing;
    }
  }

  async function messageOf(id: string): Promise<Uint8Array | undefined> {
    const cached = messageCache.get(id);
    if (cached) return cached;
    const message = (await store.messages([id])).get(id);
    if (message) remember(id, message);
    return message;
  }

  /** Tries the live channels (newest first), then the push URLs; `tried` says whether any route existed. */
  async function sendOne(
    recipient: string,
    message: Uint8Array,
    routes: RunOptions['routes'],
  ): Promise<{ route: Route } | { route?: undefined; tried: boolean; error: string }> {
    let tried = false;
    let error = '';
    for (const channel of [...(live.get(recipient) ?? [])].reverse()) {
      tried = true;
      try {
        await channel.send(message);
        return { route: 'pushed' };
      } catch (cause) {
        error = String(cause);
        logger.info('cmp: push failed, connection dropped', { recipient, connection: channel.id, error });
        drop(recipient, channel.id);
      }
    }
    if (init.httpPush && routes === 'all') {
      for (const url of await init.httpPush.store.urls(recipient)) {
        tried = true;
        try {
          await init.httpPush.post(url, message);
          return { route: 'posted' };
        } catch (cause) {
          error = `${url}: ${String(cause)}`;
          logger.info('cmp: HTTP push failed', { recipient, url, error: String(cause) });
        }
      }
    }
    return { tried, error };
  }

  /** Sends one entry; false when the rest of the backlog has to wait (nobody reachable, or a failure to retry later). */
  async function deliverEntry(
    recipient: string,
    entry: QueuedAnnouncement,
    attemptsSoFar: number,
    options: RunOptions,
    routes: Map<string, Route>,
  ): Promise<boolean> {
    await prepared(entry.id);
    const message = await messageOf(entry.id);
    if (!message) {
      // Pruned (expired) between the backlog read and now: nothing left to deliver.
      await store.delivered(recipient, entry.id);
      return true;
    }
    const outcome = await sendOne(recipient, message, options.routes);
    if (outcome.route) {
      await store.delivered(recipient, entry.id);
      routes.set(entry.id, outcome.route);
      return true;
    }
    if (!outcome.tried) return false;
    const now = clock().getTime();
    const attempts = await store.failed(recipient, entry.id, { error: outcome.error, retryAt: now + retryDelay(attemptsSoFar + 1) });
    if (attempts < maxAttempts) return false;
    await store.deadLetter(recipient, entry.id, now);
    logger.warn('cmp: announcement moved aside after failed tries (dead letter)', {
      recipient,
      id: entry.id,
      attempts,
      error: outcome.error,
    });
    return true;
  }

  /** One delivery run: the recipient's backlog, in order, until it is empty or an entry has to wait. */
  async function deliverRun(recipient: string, options: RunOptions): Promise<Map<string, Route>> {
    const routes = new Map<string, Route>();
    const backlog = options.backlog ?? (await store.backlog([recipient])).get(recipient);
    if (!backlog) return routes;
    if (backlog.attempts > 0 && backlog.retryAt > clock().getTime() && !options.force) return routes;
    let attempts = backlog.attempts;
    for (const entry of backlog.entries) {
      if (!(await deliverEntry(recipient, entry, attempts, options, routes))) break;
      attempts = 0;
    }
    return routes;
  }

  const lanes = new RecipientLanes<RunOptions, Map<string, Route>>(deliverRun, mergeOptions);

  /** Tracks a delivery run; one that ends in an error leaves its recipient to the next {@link Announcer.flush}. */
  function tracked(recipient: string, run: Promise<Map<string, Route>>): Promise<Map<string, Route>> {
    run.catch(() => stalled.add(recipient));
    return track(run);
  }

  function deliver(recipient: string, options: RunOptions): Promise<Map<string, Route>> {
    return tracked(recipient, lanes.run(recipient, options));
  }

  /**
   * Delivers to many recipients with one backlog read per {@link BULK} of them (a broadcast to
   * every connection); `onRoutes` hears how each run went. Resolves to the number delivered.
   */
  async function deliverMany(
    recipients: Iterable<string>,
    options: RunOptions,
    onRoutes: (routes: Map<string, Route>) => void = () => {},
  ): Promise<number> {
    const all = [...new Set(recipients)];
    let delivered = 0;
    const count = (routes: Map<string, Route>): void => {
      delivered += routes.size;
      onRoutes(routes);
    };
    for (let start = 0; start < all.length; start += BULK) {
      const runs: Promise<void>[] = [];
      const reserved: Array<[string, NonNullable<ReturnType<typeof lanes.reserve>>]> = [];
      for (const recipient of all.slice(start, start + BULK)) {
        const begin = lanes.reserve(recipient);
        if (begin) reserved.push([recipient, begin]);
        else runs.push(deliver(recipient, options).then(count));
      }
      let read: Promise<Map<string, RecipientBacklog>> = Promise.resolve(new Map());
      if (reserved.length) read = store.backlog(reserved.map(([recipient]) => recipient));
      // Every reserved lane is started, whatever the read did, or it would stay reserved.
      const backlogs = await read.catch((error: unknown) => error);
      for (const [recipient, begin] of reserved) {
        const job =
          backlogs instanceof Map
            ? () => {
                const backlog = backlogs.get(recipient);
                return backlog ? deliverRun(recipient, { ...options, backlog }) : Promise.resolve(new Map<string, Route>());
              }
            : () => Promise.reject(backlogs);
        runs.push(tracked(recipient, begin(job)).then(count));
      }
      for (const result of await Promise.allSettled(runs)) {
        if (result.status === 'rejected') logger.error('cmp: delivering announcements failed', { error: String(result.reason) });
      }
    }
    return delivered;
  }

  /** Delivers, on this process's connections, what other processes stored since the last look. */
  async function catchUpOnce(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const changes = await store.changes(seen, CHANGES_PAGE);
      if (!changes.length) return delivered;
      seen = changes.at(-1)!.id;
      const foreign = changes.filter((change) => !ownIds.delete(change.id));
      forgetOwnIdsThrough(Number(seen));
      if (foreign.length) {
        highestMet = Math.max(highestMet, Number(seen));
        const targets = foreign.some((change) => change.recipient === undefined)
          ? [...live.keys()]
          : foreign.map((change) => change.recipient!).filter((recipient) => live.has(recipient));
        delivered += await deliverMany(targets, { routes: 'channels', force: false });
      }
      if (changes.length < CHANGES_PAGE) return delivered;
    }
  }

  /** {@link catchUpOnce}, one at a time; a call while one runs makes it look once more. */
  function catchUp(): Promise<number> {
    if (catchingUp) {
      catchUpAgain = true;
      return catchingUp;
    }
    const run = async (): Promise<number> => {
      const started = clock().getTime();
      let delivered = 0;
      do {
        catchUpAgain = false;
        delivered += await catchUpOnce();
      } while (catchUpAgain);
      if (delivered > 0) {
        logger.info('cmp: announcements stored by another process delivered', { count: delivered, ms: clock().getTime() - started });
      }
      return delivered;
    };
    catchingUp = run().finally(() => {
      catchingUp = undefined;
    });
    return track(catchingUp);
  }

  /** Push-URL recipients whose first entry waited longer than the grace period without a try. */
  async function leftForHttpPush(): Promise<string[]> {
    if (!init.httpPush) return [];
    const recipients = await init.httpPush.store.recipients();
    if (!recipients.length) return [];
    const due = clock().getTime() - httpPushGraceMs;
    const backlogs = await store.backlog(recipients);
    return [...backlogs]
      .filter(([, backlog]) => backlog.attempts === 0 && backlog.entries[0]!.createdAt <= due)
      .map(([recipient]) => recipient);
  }

  /** Ids this announcer stored are looked for in the changes after them only; older ones are gone from the feed. */
  function forgetOwnIdsThrough(id: number): void {
    for (const own of ownIds) {
      if (Number(own) > id && ownIds.size <= MAX_OWN_IDS) break;
      ownIds.delete(own);
    }
  }

  function remember(id: string, message: Uint8Array): void {
    messageCache.set(id, message);
    if (messageCache.size > MESSAGE_CACHE) messageCache.delete(messageCache.keys().next().value!);
  }

  function storedHere(id: string): void {
    ownIds.add(id);
    if (ownIds.size > MAX_OWN_IDS) forgetOwnIdsThrough(-1);
  }

  function stored(id: string, message: Uint8Array): void {
    storedHere(id);
    remember(id, message);
  }

  async function enqueue(recipient: string, message: Uint8Array): Promise<Delivery> {
    const id = await store.enqueue(recipient, message, clock().getTime());
    stored(id, message);
    const routes = await deliver(recipient, { routes: 'all', force: false });
    return { recipient, id, route: routes.get(id) ?? 'stored' };
  }

  const wake = (): void => background(catchUp(), 'catching up with the announcement store');
  const unsubscribe = init.wakeups?.subscribe(wake);
  // The first look starts now, before connections come: it reads where the store stands.
  if (init.wakeups) wake();

  const announcer: Announcer = {
    onAuthenticated(requester, context) {
      if (!context.push) return undefined;
      const recipient = recipientKeyOfRequester(requester);
      return recipient === undefined ? undefined : announcer.connect(recipient, context.push);
    },

    async connect(recipient, channel) {
      const channels = live.get(recipient) ?? [];
      const known = channels.some((c) => c.id === channel.id);
      live.set(recipient, [...channels.filter((c) => c.id !== channel.id), channel]);
      const key = `${channel.id}\n${recipient}`;
      if (!known) {
        const record = track(store.addRecipient(recipient));
        recording.set(key, record);
        try {
          await record;
        } catch (error) {
          // Unrecorded, it would be skipped by every broadcast while it listens here.
          drop(recipient, channel.id);
          throw error;
        } finally {
          recording.delete(key);
        }
        void channel.closed.then(() => drop(recipient, channel.id));
      } else {
        // A request that came on the same connection while the first one's record is under way.
        await recording.get(key);
      }
      background(deliver(recipient, { routes: 'all', force: true }), 'delivering pending announcements');
    },

    async announce(recipient, announcement) {
      return enqueue(recipient, await buildAnnouncement(announcement, init, recipientNameOf(recipient)));
    },

    enqueue,

    async broadcast(announcement) {
      const message = await buildAnnouncement(announcement, init);
      const pushRecipients = init.httpPush ? await init.httpPush.store.recipients() : [];
      // Connected end entities were recorded when they connected; push subscribers may not be.
      for (const recipient of pushRecipients) await store.addRecipient(recipient);
      const { id, recipients } = await store.enqueueBroadcast(message, clock().getTime());
      stored(id, message);
      let pushed = 0;
      let posted = 0;
      await deliverMany([...live.keys(), ...pushRecipients], { routes: 'all', force: false }, (routes) => {
        const route = routes.get(id);
        if (route === 'pushed') pushed++;
        if (route === 'posted') posted++;
      });
      return { id, recipients, pushed, posted };
    },

    async requeue(recipient, id) {
      const requeued = await store.requeue(recipient, id, clock().getTime());
      if (requeued === undefined) return undefined;
      storedHere(requeued);
      const routes = await deliver(recipient, { routes: 'all', force: true });
      return { recipient, id: requeued, route: routes.get(requeued) ?? 'stored' };
    },

    async flush() {
      const now = clock().getTime();
      let delivered = await catchUp();
      const again = [...stalled].filter((recipient) => live.has(recipient));
      stalled.clear();
      delivered += await deliverMany(again, { routes: 'channels', force: false });
      delivered += await deliverMany(await store.retryDue(now), { routes: 'all', force: false });
      delivered += await deliverMany(await leftForHttpPush(), { routes: 'all', force: false });
      return delivered;
    },

    connected() {
      return [...live.keys()];
    },

    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },

    close() {
      unsubscribe?.();
    },
  };
  return announcer;
}
