import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteServerStore } from '../src/server-store.js';
import { fakeClock, tempDir } from '@cmpkit/test-utils';

describe('the CRL repository on SQLite', () => {
  it('counts cRLNumbers from 1, across a reopen', async () => {
    const file = join(tempDir(), 'db.sqlite');
    const first = await openSqliteServerStore(file, fakeClock().date);
    expect((await first.crls.reserve()).crlNumber).toBe(1n);
    expect((await first.crls.reserve()).crlNumber).toBe(2n);
    await first.close();
    const second = await openSqliteServerStore(file, fakeClock().date);
    expect((await second.crls.reserve()).crlNumber).toBe(3n);
    await second.close();
  });
});
