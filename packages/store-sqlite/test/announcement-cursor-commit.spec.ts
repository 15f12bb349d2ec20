import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openSqliteServerStore, type SqliteServerStore } from '../src/server-store.js';
import { openSqlite, type SqliteDatabase } from '../src/sqlite.js';

// A cluster's workers share one SQLite file and its one write lock. A worker delivering a broadcast
// moves cursors between sends; were those writes left in the turn's open batch, the lock would be
// held while the worker goes on sending, and the other workers would deliver one after another.

let dir: string;
let store: SqliteServerStore;
/** Another process's connection, which does not wait for the lock. */
let other: SqliteDatabase;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmpkit-cursors-'));
  const path = join(dir, 'store.sqlite');
  store = await openSqliteServerStore(path);
  other = openSqlite(path, 'normal');
  other.pragma('busy_timeout = 0');
});

afterEach(async () => {
  other.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('commits cursor moves at once, so that another process can write while this one goes on delivering', async () => {
  const announcements = store.announcements;
  await announcements.addRecipient('device-1');
  await announcements.addRecipient('device-2');
  const { id } = await announcements.enqueueBroadcast(new Uint8Array([0x30, 0x00]), Date.now());
  await store.flush();

  await Promise.all([announcements.delivered('device-1', id), announcements.delivered('device-2', id)]);
  // Still in the turn that moved the cursors: the write lock is free.
  expect(() => other.exec('BEGIN IMMEDIATE')).not.toThrow();
  other.exec('ROLLBACK');
  expect((await announcements.backlog(['device-1', 'device-2'])).size).toBe(0);
});
