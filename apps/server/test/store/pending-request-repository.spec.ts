import { describe, expect, it } from 'vitest';
import type { NewPendingRequest } from '../../src/store/pending-request-repository.js';
import { openSqliteServerStore } from '../../src/store/server-store.js';
import { fakeClock } from '../helpers.js';

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

describe('sqlitePendingRequestRepository', () => {
  it('creates requests with increasing ids and reads them back', async () => {
    const clock = fakeClock();
    const { pending } = await openSqliteServerStore(':memory:', clock);
    const a = await pending.create(request(clock()));
    const b = await pending.create(request(clock(), { kind: 'delay', readyAt: new Date(clock().getTime() + 5000) }));
    expect(b).toBeGreaterThan(a);
    expect(await pending.get(a)).toEqual({ id: a, status: 'pending', polls: 0, ...request(clock()) });
    expect(await pending.get(b)).toMatchObject({ kind: 'delay', readyAt: new Date(clock().getTime() + 5000) });
    expect(await pending.get(999)).toBeUndefined();
  });

  it('counts polls', async () => {
    const { pending } = await openSqliteServerStore(':memory:', fakeClock());
    const id = await pending.create(request(new Date(0)));
    expect(await pending.countPoll(id)).toBe(1);
    expect(await pending.countPoll(id)).toBe(2);
    expect((await pending.get(id))?.polls).toBe(2);
    expect(await pending.countPoll(999)).toBe(0);
  });

  it('approves or rejects only pending requests', async () => {
    const clock = fakeClock();
    const { pending } = await openSqliteServerStore(':memory:', clock);
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
    const { pending } = await openSqliteServerStore(':memory:', fakeClock());
    const a = await pending.create(request(new Date(0)));
    const b = await pending.create(request(new Date(0)));
    await pending.approve(a, new Date(0));
    await pending.markIssued(a, '1f');
    expect(await pending.get(a)).toMatchObject({ status: 'issued', serial: '1f' });
    expect((await pending.list({ status: 'pending' })).map((p) => p.id)).toEqual([b]);
    expect((await pending.list()).map((p) => p.id)).toEqual([a, b]);
  });
});
