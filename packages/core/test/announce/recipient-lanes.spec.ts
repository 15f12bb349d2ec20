// One delivery run at a time per recipient; asks while one runs join a single queued run.
import { deferred } from '@cmpkit/test-utils';
import { describe, expect, it } from 'vitest';
import { RecipientLanes } from '../../src/announce/recipient-lanes.js';

describe('RecipientLanes', () => {
  it('runs one at a time per recipient and coalesces the asks made meanwhile into one run with merged options', async () => {
    const gates = [deferred<void>(), deferred<void>()];
    const runs: Array<[string, number]> = [];
    const lanes = new RecipientLanes<number, string>(
      async (recipient, options) => {
        runs.push([recipient, options]);
        await gates[runs.filter(([r]) => r === recipient).length - 1]?.promise;
        return `${recipient}:${options}`;
      },
      (a, b) => a + b,
    );
    const first = lanes.run('r', 1);
    const joined = [lanes.run('r', 2), lanes.run('r', 3), lanes.run('r', 4)];
    const other = lanes.run('s', 10);
    expect(lanes.busy('r')).toBe(true);
    expect(runs).toEqual([
      ['r', 1],
      ['s', 10],
    ]);
    gates[0]!.resolve();
    expect(await first).toBe('r:1');
    gates[1]!.resolve();
    expect(await Promise.all(joined)).toEqual(['r:9', 'r:9', 'r:9']);
    expect(await other).toBe('s:10');
    expect(runs).toEqual([
      ['r', 1],
      ['s', 10],
      ['r', 9],
    ]);
    expect(lanes.busy('r')).toBe(false);
  });

  it('reserves an idle lane for a job started later, and refuses to reserve a busy one', async () => {
    const lanes = new RecipientLanes<number, string>(
      async (recipient, options) => `${recipient}:${options}`,
      (a, b) => a + b,
    );
    const begin = lanes.reserve('r')!;
    expect(lanes.reserve('r')).toBeUndefined();
    const queued = lanes.run('r', 5);
    expect(await begin(async () => 'bulk')).toBe('bulk');
    expect(await queued).toBe('r:5');
    expect(lanes.busy('r')).toBe(false);
  });
});
