import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Migration } from '@cmpkit/issuer';
import { migrate, MIGRATIONS } from '../src/migrations.js';
import { openSqlite } from '../src/sqlite.js';
import { sqlAnnouncementRepository } from '@cmpkit/store-sql';
import { sqliteConnection } from '../src/sqlite-connection.js';
import { fakeClock, tempDir } from '@cmpkit/test-utils';

function tables(db: ReturnType<typeof openSqlite>): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]
  ).map((r) => r.name);
}

describe('migrate', () => {
  it('creates every table on a new database and records each step', () => {
    const db = openSqlite(':memory:');
    const clock = fakeClock();
    const result = migrate(db, MIGRATIONS, clock.date);
    expect(result).toEqual({ from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map((m) => m.version) });
    expect(tables(db)).toEqual([
      'announcement_dead_letters',
      'announcement_recipients',
      'announcements',
      'certificates',
      'counters',
      'crls',
      'nonces',
      'pending_requests',
      'push_subscribers',
      'ra_jobs',
      'renewal_deadlines',
      'root_ca_updates',
      'schema_migrations',
      'shared_secrets',
      'transactions',
    ]);
    const rows = db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: clock.now() })));
  });

  it('applies nothing the second time, also after reopening the file', () => {
    const file = join(tempDir(), 'db.sqlite');
    const first = openSqlite(file);
    migrate(first);
    first.close();
    const again = openSqlite(file);
    expect(migrate(again)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length, applied: [] });
    again.close();
  });

  it('applies only the steps newer than the recorded version, in order', () => {
    const db = openSqlite(':memory:');
    const steps: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'two', sql: 'ALTER TABLE a ADD COLUMN y INTEGER' },
    ];
    expect(migrate(db, steps.slice(0, 1)).applied).toEqual([1]);
    expect(migrate(db, steps).applied).toEqual([2]);
    db.prepare('INSERT INTO a (x, y) VALUES (1, 2)').run();
    expect(db.prepare('SELECT x, y FROM a').get()).toEqual({ x: 1, y: 2 });
  });

  it('rolls a failing step back completely', () => {
    const db = openSqlite(':memory:');
    const steps: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (x INTEGER); CREATE TABLE a (x INTEGER)' },
    ];
    expect(() => migrate(db, steps)).toThrow(/already exists/);
    expect(tables(db)).toEqual(['a', 'schema_migrations']);
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: 1 });
  });

  it('refuses a database from a newer server', () => {
    const db = openSqlite(':memory:');
    migrate(db);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)").run(MIGRATIONS.length + 1);
    expect(() => migrate(db)).toThrow(/newer than this server knows/);
  });

  it('refuses a list with gaps', () => {
    const db = openSqlite(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'x', sql: '' }])).toThrow(/expected 1/);
  });

  it('keeps what was pending when announcements move to per-recipient cursors (version 5), and delivers nothing twice', async () => {
    const db = openSqlite(':memory:');
    const clock = fakeClock();
    migrate(db, MIGRATIONS.slice(0, 3), clock.date);
    const insert = db.prepare('INSERT INTO announcements (recipient, message, created_at, delivered_at) VALUES (?, ?, ?, ?)');
    db.prepare("INSERT INTO announcement_recipients (recipient, added_at) VALUES ('idle', 0)").run();
    insert.run('done', Uint8Array.of(1), 1, 5); // 1: delivered
    insert.run('half', Uint8Array.of(2), 2, 5); // 2: delivered
    insert.run('half', Uint8Array.of(3), 3, null); // 3: pending
    insert.run('done', Uint8Array.of(4), 4, 6); // 4: delivered
    insert.run('half', Uint8Array.of(5), 5, null); // 5: pending
    expect(migrate(db, MIGRATIONS, clock.date).applied).toEqual(MIGRATIONS.slice(3).map((m) => m.version));
    const announcements = sqlAnnouncementRepository(sqliteConnection(db), clock.date);
    const backlogs = await announcements.backlog(['done', 'half', 'idle']);
    expect([...backlogs.keys()]).toEqual(['half']);
    expect(backlogs.get('half')!.entries.map((e) => e.id)).toEqual(['3', '5']);
    expect(await announcements.recipients()).toEqual(['done', 'half', 'idle']);
    // New ids go on after the old ones, and a broadcast reaches every recipient.
    const { id, recipients } = await announcements.enqueueBroadcast(Uint8Array.of(9), 10);
    expect([id, recipients]).toEqual(['6', 3]);
    expect((await announcements.backlog(['done'])).get('done')!.entries.map((e) => e.id)).toEqual(['6']);
  });
});
