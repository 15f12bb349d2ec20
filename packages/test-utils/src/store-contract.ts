import { afterEach, describe, expect, it } from 'vitest';
import type { StoredRaJob, TransactionRecord } from '@cmpkit/core';
import type { Migration, NewCertificate, NewPendingRequest, ServerStore } from '@cmpkit/issuer';
import { announcementStoreContract } from './announcement-store-contract.js';
import { fakeClock as testClock } from './fake-clock.js';
import { waitUntil } from './waiting.js';

/** A new empty database for one test: a SQLite path or a PostgreSQL URL. */
export interface ContractDatabase {
  location: string;
  drop(): Promise<void>;
}

/** What {@link storeContract} runs against: one kind of store. */
export interface StoreContractSetup {
  /** Makes a new empty database for one test. */
  database(): Promise<ContractDatabase>;
  /** Opens (and migrates) a store on a database; every call stands for one server instance. */
  open(location: string, clock: () => Date): Promise<ServerStore>;
  /** The store's schema steps: a new database gets all of them. */
  migrations: readonly Migration[];
}

/** The stores' clock (`() => Date`), moved by hand. */
type FakeClock = (() => Date) & { advance(ms: number): void };

function fakeClock(): FakeClock {
  const clock = testClock({ start: new Date('2026-03-01T12:00:00Z') });
  return Object.assign(clock.date, { advance: clock.advance });
}

function certificate(serial: string, issuedAt: Date): NewCertificate {
  return {
    serial,
    issuer: '/CN=Issuing CA',
    subject: `/CN=${serial}`,
    der: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01),
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    profile: 'device',
    requester: 'mac:demo',
    transactionId: 'abcd',
    issuedAt,
  };
}

function request(createdAt: Date, extra: Partial<NewPendingRequest> = {}): NewPendingRequest {
  return {
    kind: 'approval',
    transactionId: 'abcd',
    profile: 'approval',
    subject: '/CN=x',
    requester: 'mac:demo',
    request: '{"opaque":true}',
    createdAt,
    ...extra,
  };
}

function record(overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    bodyType: 'ir',
    state: 'awaitingConfirm',
    lastResponseNonce: 'aa'.repeat(16),
    requesterKey: 'mac:64656d6f',
    pvno: 2,
    certificates: [{ certReqId: 0, certificate: 'MAA=' }],
    tickets: [],
    ...overrides,
  };
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * The behaviour every {@link ServerStore} shares, whatever the database (the transportCompliance
 * idea for stores). `setup.database` makes a new empty database per test; `setup.open` opens stores on it,
 * and two stores opened on one database stand for two server instances.
 */
export function storeContract(name: string, setup: StoreContractSetup): void {
  describe(`${name} store contract`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** Opens `count` stores on one new database. */
    async function open(clock: FakeClock = fakeClock(), count = 1): Promise<ServerStore[]> {
      const db = await setup.database();
      cleanups.push(db.drop);
      const stores: ServerStore[] = [];
      for (let i = 0; i < count; i++) {
        const store = await setup.open(db.location, clock);
        cleanups.push(() => store.close());
        stores.push(store);
      }
      return stores;
    }
    const one = async (clock?: FakeClock) => (await open(clock))[0]!;

    describe('migrations', () => {
      it('applies every step on a new database and nothing on the next open', async () => {
        const [first, second] = await open(fakeClock(), 2);
        const latest = setup.migrations.length;
        expect(first!.migration).toEqual({ from: 0, to: latest, applied: setup.migrations.map((m) => m.version) });
        expect(second!.migration).toEqual({ from: latest, to: latest, applied: [] });
      });
    });

    describe('certificates', () => {
      it('stores a certificate as issued and reads every field back', async () => {
        const clock = fakeClock();
        const { certificates } = await one(clock);
        await certificates.insert(certificate('1a', clock()));
        expect(await certificates.get('1a')).toEqual({ ...certificate('1a', clock()), status: 'issued' });
        expect(await certificates.get('ff')).toBeUndefined();
      });

      it('refuses a duplicate serial number, also from another instance', async () => {
        const [a, b] = await open(fakeClock(), 2);
        await a!.certificates.insert(certificate('1a', new Date(0)));
        await expect(b!.certificates.insert(certificate('1a', new Date(0)))).rejects.toThrow();
        expect(await b!.certificates.list()).toHaveLength(1);
      });

      it('confirms only issued certificates', async () => {
        const { certificates } = await one();
        await certificates.insert(certificate('1a', new Date(0)));
        expect(await certificates.confirm('1a')).toBe(true);
        expect((await certificates.get('1a'))?.status).toBe('confirmed');
        expect(await certificates.confirm('1a')).toBe(false);
        expect(await certificates.confirm('ff')).toBe(false);
      });

      it('revokes once, with date and reason, and tells unknown and already revoked apart', async () => {
        const clock = fakeClock();
        const { certificates } = await one(clock);
        await certificates.insert(certificate('1a', clock()));
        expect(await certificates.revoke('1a', 1, clock())).toBe('revoked');
        expect(await certificates.get('1a')).toMatchObject({ status: 'revoked', revokedAt: clock(), revocationReason: 1 });
        expect(await certificates.revoke('1a', 4, clock())).toBe('alreadyRevoked');
        expect((await certificates.get('1a'))?.revocationReason).toBe(1);
        expect(await certificates.revoke('ff', 1, clock())).toBe('unknown');
      });

      it('takes a certificate off hold (certificateHold only): confirmed again, out of the revoked list', async () => {
        const clock = fakeClock();
        const { certificates } = await one(clock);
        for (const s of ['4', '5']) await certificates.insert(certificate(s, clock()));
        await certificates.revoke('4', 6, clock());
        await certificates.revoke('5', 1, clock());
        expect(await certificates.releaseHold('4')).toBe(true);
        expect(await certificates.get('4')).toMatchObject({ status: 'confirmed' });
        expect((await certificates.get('4'))?.revokedAt).toBeUndefined();
        expect(await certificates.releaseHold('4')).toBe(false);
        expect(await certificates.releaseHold('5')).toBe(false);
        expect(await certificates.releaseHold('ff')).toBe(false);
        expect((await certificates.revoked()).map((r) => r.serial)).toEqual(['5']);
      });

      it('lists revoked certificates oldest revocation first', async () => {
        const clock = fakeClock();
        const { certificates } = await one(clock);
        for (const s of ['1', '2', '3']) await certificates.insert(certificate(s, clock()));
        await certificates.revoke('3', 0, clock());
        clock.advance(1000);
        await certificates.revoke('1', 5, clock());
        expect(await certificates.revoked()).toEqual([
          { serial: '3', revokedAt: new Date(clock().getTime() - 1000), revocationReason: 0 },
          { serial: '1', revokedAt: clock(), revocationReason: 5 },
        ]);
      });

      it('lists newest first, by status and with a limit', async () => {
        const clock = fakeClock();
        const { certificates } = await one(clock);
        for (const s of ['1', '2', '3']) {
          await certificates.insert(certificate(s, clock()));
          clock.advance(1000);
        }
        await certificates.confirm('2');
        expect((await certificates.list()).map((c) => c.serial)).toEqual(['3', '2', '1']);
        expect((await certificates.list({ status: 'issued' })).map((c) => c.serial)).toEqual(['3', '1']);
        expect((await certificates.list({ limit: 1 })).map((c) => c.serial)).toEqual(['3']);
      });

      it('records which certificate a key update replaces, and lists the replacements of one newest first', async () => {
        const clock = fakeClock();
        const { certificates } = await one(clock);
        await certificates.insert(certificate('1', clock()));
        clock.advance(1000);
        await certificates.insert({ ...certificate('2', clock()), replaces: '1' });
        clock.advance(1000);
        await certificates.insert({ ...certificate('3', clock()), replaces: '1' });
        expect(await certificates.get('2')).toEqual({
          ...certificate('2', new Date(clock().getTime() - 1000)),
          replaces: '1',
          status: 'issued',
        });
        expect((await certificates.replacements('1')).map((c) => c.serial)).toEqual(['3', '2']);
        expect(await certificates.replacements('2')).toEqual([]);
      });
    });

    describe('renewal deadlines', () => {
      it('sets, moves, lists the due ones earliest first, and removes', async () => {
        const clock = fakeClock();
        const { renewalDeadlines } = await one(clock);
        const at = (s: number) => new Date(clock().getTime() + s * 1000);
        await renewalDeadlines.set('1a', at(20), clock());
        await renewalDeadlines.set('2b', at(10), clock());
        await renewalDeadlines.set('3c', at(60), clock());
        expect(await renewalDeadlines.get('1a')).toEqual({ serial: '1a', deadline: at(20), requestedAt: clock() });
        expect(await renewalDeadlines.due(at(5))).toEqual([]);
        expect((await renewalDeadlines.due(at(20))).map((d) => d.serial)).toEqual(['2b', '1a']);
        await renewalDeadlines.set('2b', at(30), clock());
        expect((await renewalDeadlines.due(at(20))).map((d) => d.serial)).toEqual(['1a']);
        await renewalDeadlines.remove('1a');
        expect(await renewalDeadlines.get('1a')).toBeUndefined();
        expect((await renewalDeadlines.due(at(100))).map((d) => d.serial)).toEqual(['2b', '3c']);
      });
    });

    describe('RA delayed-delivery jobs', () => {
      const job = (ticket: string, owner: string, leaseUntil: number): StoredRaJob => ({
        ticket,
        request: '{"bodyType":"ir"}',
        owner,
        leaseUntil,
        createdAt: 1000,
        expiresAt: 100_000,
      });

      it('keeps a job with its progress and outcome; only the owner writes them', async () => {
        const { raJobs } = await one();
        await raJobs.create(job('t1', 'a', 5000));
        expect(await raJobs.get('t1')).toEqual(job('t1', 'a', 5000));
        expect(await raJobs.progress('t1', 'b', '{"step":1}', 9000)).toBe(false);
        expect(await raJobs.progress('t1', 'a', '{"step":1}', 9000)).toBe(true);
        expect(await raJobs.get('t1')).toEqual({ ...job('t1', 'a', 9000), progress: '{"step":1}' });
        expect(await raJobs.settle('t1', 'b', '{"issued":1}')).toBe(false);
        expect(await raJobs.settle('t1', 'a', '{"issued":1}')).toBe(true);
        expect(await raJobs.settle('t1', 'a', '{"issued":2}')).toBe(false);
        expect(await raJobs.progress('t1', 'a', '{"step":2}', 9000)).toBe(false);
        expect((await raJobs.get('t1'))?.outcome).toBe('{"issued":1}');
        await raJobs.delete('t1');
        expect(await raJobs.get('t1')).toBeUndefined();
      });

      it('another instance takes a job over only once its lease has ended, and only one of two that race', async () => {
        const [a, b] = await open(fakeClock(), 2);
        await a!.raJobs.create(job('t1', 'a', 5000));
        expect(await b!.raJobs.claim('t1', 'b', 20_000, 4999)).toBe(false);
        expect(await a!.raJobs.claim('t1', 'a', 8000, 4999)).toBe(true); // the owner renews
        const racing = await Promise.all([a!.raJobs.claim('t1', 'x', 30_000, 8000), b!.raJobs.claim('t1', 'y', 30_000, 8000)]);
        expect(racing.filter(Boolean)).toHaveLength(1);
        const owner = (await a!.raJobs.get('t1'))!.owner;
        expect(['x', 'y']).toContain(owner);
        expect(await a!.raJobs.progress('t1', 'a', '{}', 40_000)).toBe(false); // the old owner lost it
        await b!.raJobs.settle('t1', owner, '{"failed":1}');
        expect(await b!.raJobs.claim('t1', 'z', 50_000, 99_999)).toBe(false); // a settled job is not taken over
      });

      it('release ends the leases of one owner at once; purge forgets expired jobs', async () => {
        const { raJobs } = await one();
        await raJobs.create(job('t1', 'a', 50_000));
        await raJobs.create({ ...job('t2', 'b', 50_000), expiresAt: 2000 });
        await raJobs.release('a');
        expect(await raJobs.claim('t1', 'c', 60_000, 10)).toBe(true);
        expect(await raJobs.claim('t2', 'c', 60_000, 10)).toBe(false);
        expect(await raJobs.purge(1999)).toBe(0);
        expect(await raJobs.purge(2000)).toBe(1);
        expect(await raJobs.get('t2')).toBeUndefined();
        expect(await raJobs.get('t1')).toBeDefined();
      });
    });

    describe('pending requests', () => {
      it('creates requests with increasing ids and reads them back', async () => {
        const clock = fakeClock();
        const { pending } = await one(clock);
        const a = await pending.create(request(clock()));
        const b = await pending.create(request(clock(), { kind: 'delay', readyAt: new Date(clock().getTime() + 5000) }));
        expect(b).toBeGreaterThan(a);
        expect(await pending.get(a)).toEqual({ id: a, status: 'pending', polls: 0, ...request(clock()) });
        expect(await pending.get(b)).toMatchObject({ kind: 'delay', readyAt: new Date(clock().getTime() + 5000) });
        expect(await pending.get(999)).toBeUndefined();
      });

      it('counts polls, on any instance', async () => {
        const [a, b] = await open(fakeClock(), 2);
        const id = await a!.pending.create(request(new Date(0)));
        expect(await a!.pending.countPoll(id)).toBe(1);
        expect(await b!.pending.countPoll(id)).toBe(2);
        expect((await a!.pending.get(id))?.polls).toBe(2);
        expect(await a!.pending.countPoll(999)).toBe(0);
      });

      it('approves or rejects only pending requests', async () => {
        const clock = fakeClock();
        const { pending } = await one(clock);
        const a = await pending.create(request(clock()));
        const b = await pending.create(request(clock()));
        expect(await pending.approve(a, clock())).toBe(true);
        expect(await pending.approve(a, clock())).toBe(false);
        expect(await pending.reject(a, clock(), 'notAuthorized')).toBe(false);
        expect(await pending.reject(b, clock(), 'badCertTemplate', 'wrong department')).toBe(true);
        expect(await pending.get(a)).toMatchObject({ status: 'approved', decidedAt: clock() });
        expect(await pending.get(b)).toMatchObject({ status: 'rejected', failInfo: 'badCertTemplate', reason: 'wrong department' });
        expect(await pending.approve(999, clock())).toBe(false);
      });

      it('records the issued serial and lists by status', async () => {
        const { pending } = await one();
        const a = await pending.create(request(new Date(0)));
        const b = await pending.create(request(new Date(0)));
        await pending.approve(a, new Date(0));
        expect(await pending.markIssued(a, '1f')).toBe(true);
        expect(await pending.markIssued(a, '2f')).toBe(false); // another instance was first
        expect(await pending.get(a)).toMatchObject({ status: 'issued', serial: '1f' });
        expect((await pending.list({ status: 'pending' })).map((p) => p.id)).toEqual([b]);
        expect((await pending.list()).map((p) => p.id)).toEqual([a, b]);
      });
    });

    describe('CRLs', () => {
      it('reserves increasing numbers together with the revocations, across instances', async () => {
        const [a, b] = await open(fakeClock(), 2);
        await a!.certificates.insert(certificate('0a', new Date(0)));
        await a!.certificates.insert(certificate('0b', new Date(0)));
        expect(await a!.crls.reserve()).toEqual({ crlNumber: 1n, revoked: [] });
        await b!.certificates.revoke('0b', 1, new Date(5000));
        expect(await a!.crls.reserve()).toEqual({
          crlNumber: 2n,
          revoked: [{ serial: '0b', revokedAt: new Date(5000), revocationReason: 1 }],
        });
        expect((await b!.crls.reserve()).crlNumber).toBe(3n);
      });

      it('never hands out one number twice when instances reserve at once', async () => {
        const stores = await open(fakeClock(), 2);
        const numbers = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.crls.reserve().then((r) => r.crlNumber)));
        expect(new Set(numbers).size).toBe(20);
      });

      it('returns the CRL with the highest number as current', async () => {
        const { crls } = await one();
        expect(await crls.current()).toBeUndefined();
        const crl = (n: bigint) => ({
          crlNumber: n,
          thisUpdate: new Date(Number(n) * 1000),
          nextUpdate: new Date(Number(n) * 2000),
          der: Uint8Array.of(Number(n)),
        });
        await crls.store(crl(2n));
        await crls.store(crl(1n)); // signed earlier, stored later
        expect(await crls.current()).toEqual(crl(2n));
      });
    });

    describe('root CA key updates', () => {
      it('finds the newest update from a root, and the newest of all', async () => {
        const { rootCaUpdates } = await one();
        expect(await rootCaUpdates.latest()).toBeUndefined();
        await rootCaUpdates.add({
          oldRootSha256: 'AA',
          newWithNew: Uint8Array.of(1),
          newWithOld: Uint8Array.of(2),
          oldWithNew: Uint8Array.of(3),
          createdAt: new Date(1000),
        });
        await rootCaUpdates.add({ oldRootSha256: 'bb', newWithNew: Uint8Array.of(4), createdAt: new Date(2000) });
        expect(await rootCaUpdates.fromRoot('aa')).toEqual({
          oldRootSha256: 'aa',
          newWithNew: Uint8Array.of(1),
          newWithOld: Uint8Array.of(2),
          oldWithNew: Uint8Array.of(3),
          createdAt: new Date(1000),
        });
        expect(await rootCaUpdates.fromRoot('cc')).toBeUndefined();
        expect(await rootCaUpdates.latest()).toEqual({ oldRootSha256: 'bb', newWithNew: Uint8Array.of(4), createdAt: new Date(2000) });
      });
    });

    describe('shared secrets', () => {
      it('finds a secret by the senderKID bytes of its reference', async () => {
        const { secrets } = await one();
        expect(await secrets.add('demo', 'demo-secret')).toBe(false);
        expect(await secrets.get(utf8('demo'))).toEqual(utf8('demo-secret'));
        expect(await secrets.get(utf8('other'))).toBeUndefined();
        expect(await secrets.get(Uint8Array.of(0xff, 0xfe))).toBeUndefined();
      });

      it('stores binary secrets as given', async () => {
        const { secrets } = await one();
        await secrets.add('bin', Uint8Array.of(0, 1, 2, 255));
        expect(await secrets.get(utf8('bin'))).toEqual(Uint8Array.of(0, 1, 2, 255));
      });

      it('replaces, lists (oldest first) and removes', async () => {
        const clock = fakeClock();
        const { secrets } = await one(clock);
        await secrets.add('a', 'one');
        clock.advance(1000);
        await secrets.add('b', 'two');
        clock.advance(1000);
        expect(await secrets.add('a', 'three')).toBe(true);
        expect(await secrets.get(utf8('a'))).toEqual(utf8('three'));
        expect((await secrets.list()).map((e) => e.reference)).toEqual(['b', 'a']);
        expect((await secrets.list())[0]!.createdAt).toEqual(new Date(clock().getTime() - 1000));
        expect(await secrets.count()).toBe(2);
        expect(await secrets.remove('a')).toBe(true);
        expect(await secrets.remove('a')).toBe(false);
        expect(await secrets.get(utf8('a'))).toBeUndefined();
        expect(await secrets.count()).toBe(1);
      });

      it('refuses an empty reference', async () => {
        const { secrets } = await one();
        await expect(secrets.add('', 'x')).rejects.toThrow(/must not be empty/);
      });
    });

    describe('transactions', () => {
      it('creates, reads, updates and deletes a record', async () => {
        const { transactions } = await one();
        expect(await transactions.create('t1', record(), 60)).toBe(true);
        expect(await transactions.get('t1')).toEqual(record());
        const changed = record({ state: 'done', implicitConfirm: true, profile: 'device' });
        await transactions.update('t1', changed, 60);
        expect(await transactions.get('t1')).toEqual(changed);
        await transactions.delete('t1');
        expect(await transactions.get('t1')).toBeUndefined();
      });

      it('refuses a second create of a live transactionID, also from another instance', async () => {
        const [a, b] = await open(fakeClock(), 2);
        expect(await a!.transactions.create('t1', record(), 60)).toBe(true);
        expect(await b!.transactions.create('t1', record({ bodyType: 'cr' }), 60)).toBe(false);
        expect((await b!.transactions.get('t1'))?.bodyType).toBe('ir');
      });

      it('lets exactly one of several instances open a transactionID at once', async () => {
        const stores = await open(fakeClock(), 2);
        const created = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.transactions.create('race', record(), 60)));
        expect(created.filter(Boolean)).toHaveLength(1);
      });

      it('forgets a record after its TTL, and lets the ID be used again', async () => {
        const clock = fakeClock();
        const { transactions } = await one(clock);
        await transactions.create('t1', record(), 60);
        clock.advance(59_999);
        expect(await transactions.get('t1')).toBeDefined();
        clock.advance(1);
        expect(await transactions.get('t1')).toBeUndefined();
        expect(await transactions.create('t1', record({ bodyType: 'cr' }), 60)).toBe(true);
        expect((await transactions.get('t1'))?.bodyType).toBe('cr');
      });

      it('update extends the TTL', async () => {
        const clock = fakeClock();
        const { transactions } = await one(clock);
        await transactions.create('t1', record(), 60);
        clock.advance(50_000);
        await transactions.update('t1', record(), 60);
        clock.advance(50_000);
        expect(await transactions.get('t1')).toBeDefined();
      });

      it('expired(now) lists the records whose confirmDeadline has passed, even past their TTL', async () => {
        const clock = fakeClock();
        const { transactions } = await one(clock);
        const start = clock().getTime();
        await transactions.create('due', record({ confirmDeadline: start + 10_000 }), 5);
        await transactions.create('later', record({ confirmDeadline: start + 20_000 }), 60);
        await transactions.create('none', record(), 60);
        expect(await transactions.expired(start + 9_999)).toEqual([]);
        clock.advance(15_000);
        expect(await transactions.expired(start + 15_000)).toEqual([
          { transactionId: 'due', record: record({ confirmDeadline: start + 10_000 }) },
        ]);
        const both = await transactions.expired(start + 20_000);
        expect(both.map((e) => e.transactionId)).toEqual(['due', 'later']);
      });
    });

    describe('announcements', () => {
      it('lets one instance claim the announcement of each new CRL number', async () => {
        const [a, b] = await open(fakeClock(), 2);
        expect(await a!.announcements.claimCrl(1n)).toBe(true);
        expect(await b!.announcements.claimCrl(1n)).toBe(false);
        expect(await b!.announcements.claimCrl(3n)).toBe(true);
        expect(await a!.announcements.claimCrl(2n)).toBe(false);
      });

      it('counts the deliveries still to make, a broadcast once per recipient that has not received it', async () => {
        const [a, b] = await open(fakeClock(), 2);
        await a!.announcements.addRecipient('r1');
        await a!.announcements.addRecipient('r2');
        const first = await a!.announcements.enqueue('r1', Uint8Array.of(1), 1000);
        const { id } = await b!.announcements.enqueueBroadcast(Uint8Array.of(2), 2000);
        expect(await a!.announcements.pendingCount()).toBe(3);
        await b!.announcements.delivered('r1', first);
        expect(await a!.announcements.pendingCount()).toBe(2);
        await b!.announcements.delivered('r1', id);
        expect(await a!.announcements.pendingCount()).toBe(1);
      });

      it('tells the other instances when one of them stored announcements (wake-ups)', async () => {
        const [a, b] = await open(fakeClock(), 2);
        let woken = 0;
        const stop = b!.announcementWakeups.subscribe(() => woken++);
        try {
          await waitUntil(
            async () => {
              await a!.announcements.enqueue('r1', Uint8Array.of(1), 1000);
              await a!.flush();
              return woken > 0;
            },
            { what: 'a wake-up after another instance stored an announcement', intervalMs: 200 },
          );
          expect((await b!.announcements.changes(undefined, 10)).length).toBeGreaterThan(0);
        } finally {
          stop();
        }
      });
    });

    announcementStoreContract(name, async (count) => (await open(fakeClock(), count)).map((store) => store.announcements));

    describe('push subscribers', () => {
      it('registers URLs once per recipient, lists and removes them', async () => {
        const clock = fakeClock();
        const { pushSubscribers } = await one(clock);
        expect(await pushSubscribers.add({ recipient: 'r1', url: 'http://a/', subject: '/CN=a', addedAt: new Date(1000) })).toBe(true);
        expect(await pushSubscribers.add({ recipient: 'r1', url: 'http://a/', addedAt: new Date(2000) })).toBe(false);
        await pushSubscribers.register('r2', 'http://a/');
        await pushSubscribers.register('r1', 'http://b/');
        expect(await pushSubscribers.urls('r1')).toEqual(['http://a/', 'http://b/']);
        expect(await pushSubscribers.recipients()).toEqual(['r1', 'r2']);
        expect((await pushSubscribers.list())[0]).toEqual({ recipient: 'r1', url: 'http://a/', subject: '/CN=a', addedAt: new Date(1000) });
        await pushSubscribers.unregister('r1', 'http://b/');
        expect(await pushSubscribers.urls('r1')).toEqual(['http://a/']);
        expect(await pushSubscribers.removeUrl('http://a/')).toBe(2);
        expect(await pushSubscribers.recipients()).toEqual([]);
      });
    });

    describe('nonces', () => {
      it('accepts a nonce once within its lifetime, and again after it', async () => {
        const clock = fakeClock();
        const { nonces } = await one(clock);
        expect(await nonces.remember('n1', 10)).toBe(true);
        expect(await nonces.remember('n1', 10)).toBe(false);
        expect(await nonces.remember('n2', 10)).toBe(true);
        clock.advance(9_999);
        expect(await nonces.remember('n1', 10)).toBe(false);
        clock.advance(1);
        expect(await nonces.remember('n1', 10)).toBe(true);
      });

      it('detects a replay on another instance, and accepts a nonce only once when instances race', async () => {
        const [a, b] = await open(fakeClock(), 2);
        expect(await a!.nonces.remember('seen-on-a', 60)).toBe(true);
        expect(await b!.nonces.remember('seen-on-a', 60)).toBe(false);
        const accepted = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!).nonces.remember('race', 60)));
        expect(accepted.filter(Boolean)).toHaveLength(1);
      });
    });
  });
}
