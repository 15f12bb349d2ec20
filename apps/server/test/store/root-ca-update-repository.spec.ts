import { describe, expect, it } from 'vitest';
import { openSqliteServerStore } from '../../src/store/server-store.js';
import { fakeClock } from '../helpers.js';

describe('sqliteRootCaUpdateRepository', () => {
  it('finds the newest update from a root, and the newest of all', async () => {
    const { rootCaUpdates } = await openSqliteServerStore(':memory:', fakeClock());
    expect(await rootCaUpdates.latest()).toBeUndefined();
    await rootCaUpdates.add({ oldRootSha256: 'AA', newWithNew: Uint8Array.of(1), newWithOld: Uint8Array.of(2), oldWithNew: Uint8Array.of(3), createdAt: new Date(1000) });
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
