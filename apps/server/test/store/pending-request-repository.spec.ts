import { describe, expect, it } from 'vitest';
import type { NewPendingRequest } from '../../src/store/pending-request-repository.js';
import { openServerStore } from '../../src/store/server-store.js';
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
  it('creates requests with increasing ids and reads them back', () => {
    const clock = fakeClock();
    const { pending } = openServerStore(':memory:', clock);
    const a = pending.create(request(clock()));
    const b = pending.create(request(clock(), { kind: 'delay', readyAt: new Date(clock().getTime() + 5000) }));
    expect(b).toBeGreaterThan(a);
    expect(pending.get(a)).toEqual({ id: a, status: 'pending', polls: 0, ...request(clock()) });
    expect(pending.get(b)).toMatchObject({ kind: 'delay', readyAt: new Date(clock().getTime() + 5000) });
    expect(pending.get(999)).toBeUndefined();
  });

  it('counts polls', () => {
    const { pending } = openServerStore(':memory:', fakeClock());
    const id = pending.create(request(new Date(0)));
    expect(pending.countPoll(id)).toBe(1);
    expect(pending.countPoll(id)).toBe(2);
    expect(pending.get(id)?.polls).toBe(2);
    expect(pending.countPoll(999)).toBe(0);
  });

  it('approves or rejects only pending requests', () => {
    const clock = fakeClock();
    const { pending } = openServerStore(':memory:', clock);
    const a = pending.create(request(clock()));
    const b = pending.create(request(clock()));
    expect(pending.approve(a, clock())).toBe(true);
    expect(pending.approve(a, clock())).toBe(false);
    expect(pending.reject(a, clock(), 'notAuthorized')).toBe(false);
    expect(pending.reject(b, clock(), 'badCertTemplate', 'wrong department')).toBe(true);
    expect(pending.get(a)).toMatchObject({ status: 'approved', decidedAt: clock() });
    expect(pending.get(b)).toMatchObject({ status: 'rejected', failInfo: 'badCertTemplate', reason: 'wrong department' });
    expect(pending.approve(999, clock())).toBe(false);
  });

  it('records the issued serial and lists by status', () => {
    const { pending } = openServerStore(':memory:', fakeClock());
    const a = pending.create(request(new Date(0)));
    const b = pending.create(request(new Date(0)));
    pending.approve(a, new Date(0));
    pending.markIssued(a, '1f');
    expect(pending.get(a)).toMatchObject({ status: 'issued', serial: '1f' });
    expect(pending.list({ status: 'pending' }).map((p) => p.id)).toEqual([b]);
    expect(pending.list().map((p) => p.id)).toEqual([a, b]);
  });
});
