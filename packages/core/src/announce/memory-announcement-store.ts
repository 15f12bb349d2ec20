import type { AnnouncementChange, AnnouncementStore, DeadLetter, PushUrlStore, RecipientBacklog } from './announcement-store.js';

interface Entry {
  id: number;
  /** Undefined for a broadcast. */
  recipient: string | undefined;
  message: Uint8Array;
  createdAt: number;
}

interface RecipientState {
  cursor: number;
  /** The entry the failures below are about. */
  failedId: number;
  attempts: number;
  retryAt: number;
  error: string;
}

const deadLetterKey = (recipient: string, id: string): string => `${id} ${recipient}`;

/** The entries of `list` (ordered by id) after `cursor`. */
function after(list: readonly Entry[], cursor: number): Entry[] {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle]!.id <= cursor) low = middle + 1;
    else high = middle;
  }
  return list.slice(low);
}

/** Announcements in memory, for tests and single processes: {@link AnnouncementStore}'s model without a database. */
export function memoryAnnouncementStore(): AnnouncementStore {
  const byId = new Map<number, Entry>();
  const broadcasts: Entry[] = [];
  const targeted = new Map<string, Entry[]>();
  const states = new Map<string, RecipientState>();
  const dead = new Map<string, DeadLetter>();
  let last = 0;

  const record = (recipient: string): RecipientState => {
    let state = states.get(recipient);
    if (!state) {
      state = { cursor: last, failedId: 0, attempts: 0, retryAt: 0, error: '' };
      states.set(recipient, state);
    }
    return state;
  };
  const add = (recipient: string | undefined, message: Uint8Array, createdAt: number): string => {
    const entry = { id: ++last, recipient, message: message.slice(), createdAt };
    byId.set(entry.id, entry);
    if (recipient === undefined) broadcasts.push(entry);
    else targeted.set(recipient, [...(targeted.get(recipient) ?? []), entry]);
    return String(entry.id);
  };
  const backlogOf = (recipient: string, state: RecipientState): RecipientBacklog | undefined => {
    const mine = [...after(targeted.get(recipient) ?? [], state.cursor), ...after(broadcasts, state.cursor)].sort((a, b) => a.id - b.id);
    if (!mine.length) return undefined;
    const failing = mine[0]!.id === state.failedId;
    return {
      entries: mine.map((e) => ({ id: String(e.id), createdAt: e.createdAt })),
      attempts: failing ? state.attempts : 0,
      retryAt: failing ? state.retryAt : 0,
    };
  };

  return {
    async enqueue(recipient, message, createdAt) {
      record(recipient);
      return add(recipient, message, createdAt);
    },
    async enqueueBroadcast(message, createdAt) {
      return { id: add(undefined, message, createdAt), recipients: states.size };
    },
    async backlog(recipients) {
      const result = new Map<string, RecipientBacklog>();
      for (const recipient of new Set(recipients)) {
        const state = states.get(recipient);
        const backlog = state && backlogOf(recipient, state);
        if (backlog) result.set(recipient, backlog);
      }
      return result;
    },
    async messages(ids) {
      const found = ids.map((id) => byId.get(Number(id))).filter((e) => e !== undefined);
      return new Map(found.map((e) => [String(e.id), e.message.slice()]));
    },
    async delivered(recipient, id) {
      const state = states.get(recipient);
      if (!state || !(Number(id) > state.cursor)) return;
      state.cursor = Number(id);
      state.attempts = 0;
      state.failedId = 0;
      state.retryAt = 0;
    },
    async failed(recipient, id, failure) {
      const state = record(recipient);
      if (state.failedId !== Number(id)) {
        state.failedId = Number(id);
        state.attempts = 0;
      }
      state.attempts++;
      state.retryAt = failure.retryAt;
      state.error = failure.error;
      return state.attempts;
    },
    async deadLetter(recipient, id, deadAt) {
      const state = record(recipient);
      const entry = byId.get(Number(id));
      const failing = state.failedId === Number(id);
      if (entry) {
        dead.set(deadLetterKey(recipient, id), {
          recipient,
          id,
          createdAt: entry.createdAt,
          attempts: failing ? state.attempts : 0,
          error: failing ? state.error : '',
          deadAt,
        });
      }
      if (Number(id) > state.cursor) state.cursor = Number(id);
      state.failedId = 0;
      state.attempts = 0;
      state.retryAt = 0;
    },
    async changes(after, limit) {
      const changed: Entry[] = [];
      for (let id = (after === undefined ? 0 : Number(after)) + 1; id <= last && changed.length < limit; id++) {
        const entry = byId.get(id);
        if (entry) changed.push(entry);
      }
      return changed.map((e): AnnouncementChange =>
        e.recipient === undefined ? { id: String(e.id) } : { id: String(e.id), recipient: e.recipient },
      );
    },
    async retryDue(now) {
      return [...states]
        .filter(([recipient, state]) => state.attempts > 0 && state.retryAt <= now && backlogOf(recipient, state)?.attempts)
        .map(([recipient]) => recipient);
    },
    async addRecipient(recipient) {
      record(recipient);
    },
    async recipients() {
      return [...states.keys()].sort();
    },
    async deadLetters() {
      return [...dead.values()].sort((a, b) => a.deadAt - b.deadAt || Number(a.id) - Number(b.id));
    },
    async requeue(recipient, id, createdAt) {
      const key = deadLetterKey(recipient, id);
      const entry = byId.get(Number(id));
      if (!dead.has(key) || !entry) return undefined;
      dead.delete(key);
      return add(recipient, entry.message, createdAt);
    },
    async discard(recipient, id) {
      return dead.delete(deadLetterKey(recipient, id));
    },
    async prune({ deliveredBefore, expiredBefore }) {
      for (const [key, letter] of dead) if (letter.createdAt < expiredBefore) dead.delete(key);
      const kept = new Set([...dead.values()].map((letter) => Number(letter.id)));
      const cursors = [...states.values()].map((s) => s.cursor);
      const lowest = cursors.length ? Math.min(...cursors) : Infinity;
      const removable = (e: Entry): boolean => {
        if (kept.has(e.id)) return false;
        if (e.createdAt < expiredBefore) return true;
        if (e.createdAt >= deliveredBefore) return false;
        return e.recipient === undefined ? e.id <= lowest : e.id <= (states.get(e.recipient)?.cursor ?? 0);
      };
      const removed = [...byId.values()].filter(removable);
      for (const entry of removed) {
        byId.delete(entry.id);
        const list = entry.recipient === undefined ? broadcasts : targeted.get(entry.recipient)!;
        list.splice(list.indexOf(entry), 1);
        if (entry.recipient !== undefined && list.length === 0) targeted.delete(entry.recipient);
      }
      return removed.length;
    },
  };
}

/** Push URLs in memory. */
export function memoryPushUrlStore(initial: Readonly<Record<string, readonly string[]>> = {}): PushUrlStore {
  const urls = new Map<string, string[]>(Object.entries(initial).map(([recipient, list]) => [recipient, [...new Set(list)]]));
  return {
    async urls(recipient) {
      return [...(urls.get(recipient) ?? [])];
    },
    async register(recipient, url) {
      const list = urls.get(recipient) ?? [];
      if (!list.includes(url)) list.push(url);
      urls.set(recipient, list);
    },
    async unregister(recipient, url) {
      const list = (urls.get(recipient) ?? []).filter((u) => u !== url);
      if (list.length) urls.set(recipient, list);
      else urls.delete(recipient);
    },
    async recipients() {
      return [...urls.keys()];
    },
  };
}
