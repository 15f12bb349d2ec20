import type { AnnouncementStore } from '@cmpkit/core';
import { describe, expect, it } from 'vitest';

/**
 * Opens `count` views of one new, empty announcement store (every view stands for one process
 * or server instance sharing it; a memory store returns the same object `count` times).
 */
export type OpenAnnouncementStores = (count: number) => Promise<AnnouncementStore[]>;

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const ids = (backlog: { entries: { id: string }[] } | undefined): string[] => backlog?.entries.map((e) => e.id) ?? [];

/**
 * The behaviour every {@link AnnouncementStore} shares (core's memory store, SQLite, PostgreSQL):
 * targeted entries and broadcasts stored once, per-recipient cursors, failed tries, dead
 * letters, the change feed the wake-ups rely on, and pruning. `open` is called once per test.
 */
export function announcementStoreContract(name: string, open: OpenAnnouncementStores): void {
  describe(`${name}: announcement store contract`, () => {
    it('keeps targeted entries per recipient, oldest first, until the cursor passes them; visible to every instance', async () => {
      const [a, b] = await open(2);
      const first = await a!.enqueue('r1', bytes(1), 1000);
      const second = await b!.enqueue('r1', bytes(2), 2000);
      const other = await a!.enqueue('r2', bytes(3), 3000);
      expect(Number(second)).toBeGreaterThan(Number(first));
      expect(Number(other)).toBeGreaterThan(Number(second));
      const backlogs = await b!.backlog(['r1', 'r2', 'nobody']);
      expect(backlogs.get('r1')).toEqual({
        entries: [
          { id: first, createdAt: 1000 },
          { id: second, createdAt: 2000 },
        ],
        attempts: 0,
        retryAt: 0,
      });
      expect(ids(backlogs.get('r2'))).toEqual([other]);
      expect(backlogs.has('nobody')).toBe(false);
      expect(await a!.messages([first, second, '999999'])).toEqual(
        new Map([
          [first, bytes(1)],
          [second, bytes(2)],
        ]),
      );

      await b!.delivered('r1', first);
      expect(ids((await a!.backlog(['r1'])).get('r1'))).toEqual([second]);
      await a!.delivered('r1', second);
      await a!.delivered('r1', first); // never back
      expect((await b!.backlog(['r1'])).has('r1')).toBe(false);
      expect(ids((await b!.backlog(['r2'])).get('r2'))).toEqual([other]);
    });

    it('stores a broadcast once for the recipients recorded so far; a recipient recorded later does not get it', async () => {
      const [a, b] = await open(2);
      await a!.addRecipient('r1');
      await b!.addRecipient('r2');
      await a!.addRecipient('r2');
      const before = await a!.enqueue('r1', bytes(1), 1000);
      const broadcast = await b!.enqueueBroadcast(bytes(9, 9), 2000);
      expect(broadcast.recipients).toBe(2);
      await a!.addRecipient('late');
      const after = await a!.enqueue('r2', bytes(2), 3000);
      const backlogs = await a!.backlog(['r1', 'r2', 'late']);
      expect(ids(backlogs.get('r1'))).toEqual([before, broadcast.id]);
      expect(ids(backlogs.get('r2'))).toEqual([broadcast.id, after]);
      expect(backlogs.has('late')).toBe(false);
      expect((await b!.messages([broadcast.id])).get(broadcast.id)).toEqual(bytes(9, 9));
      await b!.delivered('r1', broadcast.id);
      expect((await a!.backlog(['r1'])).has('r1')).toBe(false);
      expect(await a!.recipients()).toEqual(['late', 'r1', 'r2']);
    });

    it('lists what was stored after a given id, broadcasts without a recipient, page by page', async () => {
      const [a, b] = await open(2);
      const one = await a!.enqueue('r1', bytes(1), 1);
      const two = (await b!.enqueueBroadcast(bytes(2), 2)).id;
      const three = await b!.enqueue('r2', bytes(3), 3);
      expect(await a!.changes(undefined, 10)).toEqual([{ id: one, recipient: 'r1' }, { id: two }, { id: three, recipient: 'r2' }]);
      expect(await b!.changes(one, 1)).toEqual([{ id: two }]);
      expect(await b!.changes(two, 10)).toEqual([{ id: three, recipient: 'r2' }]);
      expect(await a!.changes(three, 10)).toEqual([]);
    });

    it('makes every entry stored by instances at the same time visible, each once, in id order', async () => {
      const [a, b] = await open(2);
      const stored = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a! : b!).enqueue(`r${i % 3}`, bytes(i), i)));
      const listed = (await a!.changes(undefined, 100)).map((change) => change.id);
      expect(listed).toEqual([...stored].sort((x, y) => Number(x) - Number(y)));
      expect(new Set(listed).size).toBe(20);
    });

    it('counts failed tries of the first entry, says when it is due again, and starts afresh after a delivery', async () => {
      const [a, b] = await open(2);
      const first = await a!.enqueue('r1', bytes(1), 1);
      const second = await a!.enqueue('r1', bytes(2), 2);
      expect(await a!.failed('r1', first, { error: 'refused', retryAt: 5000 })).toBe(1);
      expect(await b!.failed('r1', first, { error: 'refused again', retryAt: 9000 })).toBe(2);
      expect((await a!.backlog(['r1'])).get('r1')).toMatchObject({ attempts: 2, retryAt: 9000 });
      expect(await b!.retryDue(8999)).toEqual([]);
      expect(await b!.retryDue(9000)).toEqual(['r1']);
      await a!.delivered('r1', first);
      expect((await b!.backlog(['r1'])).get('r1')).toEqual({ entries: [{ id: second, createdAt: 2 }], attempts: 0, retryAt: 0 });
      expect(await a!.retryDue(10_000)).toEqual([]);
      expect(await a!.failed('r1', second, { error: 'timeout', retryAt: 20_000 })).toBe(1);
    });

    it('moves an entry aside as a dead letter, lets the queue go on, and puts it back or drops it on request', async () => {
      const [a, b] = await open(2);
      const stuck = await a!.enqueue('r1', bytes(1), 100);
      const next = await a!.enqueue('r1', bytes(2), 200);
      await a!.failed('r1', stuck, { error: 'HTTP 400', retryAt: 1 });
      await a!.failed('r1', stuck, { error: 'HTTP 400 again', retryAt: 2 });
      await b!.deadLetter('r1', stuck, 5000);
      expect(ids((await a!.backlog(['r1'])).get('r1'))).toEqual([next]);
      expect(await a!.retryDue(10_000)).toEqual([]);
      expect(await b!.deadLetters()).toEqual([
        { recipient: 'r1', id: stuck, createdAt: 100, attempts: 2, error: 'HTTP 400 again', deadAt: 5000 },
      ]);

      await a!.delivered('r1', next);
      const again = await b!.requeue('r1', stuck, 6000);
      expect(again).toBeDefined();
      expect(Number(again)).toBeGreaterThan(Number(next));
      expect(await a!.deadLetters()).toEqual([]);
      expect((await a!.backlog(['r1'])).get('r1')).toEqual({ entries: [{ id: again, createdAt: 6000 }], attempts: 0, retryAt: 0 });
      expect((await a!.messages([again!])).get(again!)).toEqual(bytes(1));
      expect(await b!.requeue('r1', stuck, 7000)).toBeUndefined();

      await a!.failed('r1', again!, { error: 'gone', retryAt: 1 });
      await a!.deadLetter('r1', again!, 8000);
      expect(await b!.discard('r1', again!)).toBe(true);
      expect(await b!.discard('r1', again!)).toBe(false);
      expect(await a!.deadLetters()).toEqual([]);
    });

    it('prunes what everyone received after the retention, anything expired, and keeps what dead letters need', async () => {
      const [a, b] = await open(2);
      await a!.addRecipient('r1');
      await a!.addRecipient('r2');
      const delivered = await a!.enqueue('r1', bytes(1), 1000);
      const broadcast = (await a!.enqueueBroadcast(bytes(2), 1000)).id;
      const waiting = await a!.enqueue('r2', bytes(3), 1000);
      const dead = await a!.enqueue('r2', bytes(4), 1000);
      const recent = await a!.enqueue('r1', bytes(5), 5000);
      await a!.delivered('r1', broadcast);
      await a!.delivered('r2', broadcast); // r2 has 'waiting' and 'dead' still
      await a!.failed('r2', waiting, { error: 'x', retryAt: 0 });
      // Only the first entry is moved aside in practice; here the contract allows any.
      await a!.delivered('r2', waiting);
      await a!.failed('r2', dead, { error: 'refused', retryAt: 0 });
      await a!.deadLetter('r2', dead, 2000);

      // Delivered before 2000: 'delivered', the broadcast and 'waiting'; 'dead' is kept for its dead letter.
      expect(await b!.prune({ deliveredBefore: 2000, expiredBefore: 0 })).toBe(3);
      expect(await b!.messages([delivered, broadcast, waiting, dead, recent])).toEqual(
        new Map([
          [dead, bytes(4)],
          [recent, bytes(5)],
        ]),
      );
      expect(ids((await a!.backlog(['r1'])).get('r1'))).toEqual([recent]);
      // Expired: the undelivered entry and the dead letter (with its entry) go.
      expect(await b!.prune({ deliveredBefore: 0, expiredBefore: 6000 })).toBe(2);
      expect(await a!.deadLetters()).toEqual([]);
      expect((await a!.backlog(['r1', 'r2'])).size).toBe(0);
    });

    it('keeps a broadcast while a recorded recipient has not received it', async () => {
      const [a] = await open(1);
      await a!.addRecipient('online');
      await a!.addRecipient('offline');
      const { id } = await a!.enqueueBroadcast(bytes(7), 1000);
      await a!.delivered('online', id);
      expect(await a!.prune({ deliveredBefore: 10_000, expiredBefore: 0 })).toBe(0);
      expect(ids((await a!.backlog(['offline'])).get('offline'))).toEqual([id]);
      await a!.delivered('offline', id);
      expect(await a!.prune({ deliveredBefore: 10_000, expiredBefore: 0 })).toBe(1);
    });
  });
}
