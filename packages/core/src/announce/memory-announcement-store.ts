import type { AnnouncementStore, PendingAnnouncement, PushUrlStore } from './announcement-store.js';

/** Pending announcements in memory, for tests and single processes. */
export function memoryAnnouncementStore(): AnnouncementStore {
  const byRecipient = new Map<string, PendingAnnouncement[]>();
  const recipientOf = new Map<string, string>();
  const known = new Set<string>();
  let next = 0;
  return {
    async enqueue(recipient, message, createdAt) {
      const id = String(++next);
      const list = byRecipient.get(recipient) ?? [];
      list.push({ id, message: message.slice(), createdAt });
      byRecipient.set(recipient, list);
      recipientOf.set(id, recipient);
      known.add(recipient);
      return id;
    },
    async pending(recipient) {
      return (byRecipient.get(recipient) ?? []).map((entry) => ({ ...entry, message: entry.message.slice() }));
    },
    async delivered(id) {
      const recipient = recipientOf.get(id);
      if (recipient === undefined) return;
      recipientOf.delete(id);
      const list = (byRecipient.get(recipient) ?? []).filter((entry) => entry.id !== id);
      if (list.length) byRecipient.set(recipient, list);
      else byRecipient.delete(recipient);
    },
    async addRecipient(recipient) {
      known.add(recipient);
    },
    async recipients() {
      return [...known];
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
