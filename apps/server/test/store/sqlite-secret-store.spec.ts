import { describe, expect, it } from 'vitest';
import { openSqliteServerStore } from '../../src/store/server-store.js';
import { fakeClock } from '../helpers.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('sqliteSecretStore', () => {
  it('finds a secret by the senderKID bytes of its reference', async () => {
    const { secrets } = await openSqliteServerStore(':memory:', fakeClock());
    expect(await secrets.add('demo', 'demo-secret')).toBe(false);
    expect(await secrets.get(utf8('demo'))).toEqual(utf8('demo-secret'));
    expect(await secrets.get(utf8('other'))).toBeUndefined();
    expect(await secrets.get(Uint8Array.of(0xff, 0xfe))).toBeUndefined();
  });

  it('stores binary secrets as given', async () => {
    const { secrets } = await openSqliteServerStore(':memory:', fakeClock());
    await secrets.add('bin', Uint8Array.of(0, 1, 2, 255));
    expect(await secrets.get(utf8('bin'))).toEqual(Uint8Array.of(0, 1, 2, 255));
  });

  it('replaces, lists (oldest first) and removes', async () => {
    const clock = fakeClock();
    const { secrets } = await openSqliteServerStore(':memory:', clock);
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
    const { secrets } = await openSqliteServerStore(':memory:', fakeClock());
    await expect(secrets.add('', 'x')).rejects.toThrow(/must not be empty/);
  });
});
