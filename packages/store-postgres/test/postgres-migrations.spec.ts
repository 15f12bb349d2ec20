import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '@cmpkit/store-sqlite';
import { createTestDatabase, postgresMissing, postgresUrl } from '@cmpkit/test-utils';
import { openPostgresPool } from '../src/postgres.js';
import { sqlAnnouncementRepository } from '@cmpkit/store-sql';
import { postgresConnection } from '../src/postgres-connection.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from '../src/postgres-migrations.js';

/** `table(column, column, ...)` of every CREATE TABLE, and the index names, of a migration's SQL. */
function shape(sql: string): string[] {
  const tables = [...sql.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\n\s*\);/g)].map(([, name, body]) => {
    const columns = body!
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[a-z][a-z0-9_]*\s+[A-Z]/.test(line))
      .map((line) => line.split(/\s+/)[0]);
    return `${name}(${columns.join(', ')})`;
  });
  const indexes = [...sql.matchAll(/CREATE INDEX (\w+)/g)].map(([, name]) => `index ${name}`);
  return [...tables, ...indexes];
}

describe('the PostgreSQL schema', () => {
  it('has the steps of the SQLite schema: same versions, names, tables, columns and indexes', () => {
    expect(POSTGRES_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
    POSTGRES_MIGRATIONS.forEach((m, i) => {
      expect(shape(m.sql), `step ${m.version}`).toEqual(shape(MIGRATIONS[i]!.sql));
      expect(shape(m.sql).length).toBeGreaterThan(0);
    });
  });
});

describe.skipIf(!postgresUrl)(`the announcements step (version 5)${postgresUrl ? '' : ` (skipped: ${postgresMissing})`}`, () => {
  it('keeps what was pending when announcements move to per-recipient cursors, and new ids go on after the old ones', async () => {
    const db = await createTestDatabase();
    const pool = openPostgresPool(db.url, 2);
    try {
      await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 3));
      await pool.query("INSERT INTO announcement_recipients (recipient, added_at) VALUES ('idle', 0)");
      for (const [recipient, deliveredAt] of [
        ['done', 5],
        ['half', 5],
        ['half', null],
        ['done', 6],
        ['half', null],
      ] as const) {
        await pool.query('INSERT INTO announcements (recipient, message, created_at, delivered_at) VALUES ($1, $2, 1, $3)', [
          recipient,
          Buffer.from([1]),
          deliveredAt,
        ]);
      }
      await migratePostgres(pool);
      const announcements = sqlAnnouncementRepository(postgresConnection(pool), () => new Date(0));
      const backlogs = await announcements.backlog(['done', 'half', 'idle']);
      expect([...backlogs.keys()]).toEqual(['half']);
      expect(backlogs.get('half')!.entries.map((e) => e.id)).toEqual(['3', '5']);
      const { id, recipients } = await announcements.enqueueBroadcast(Uint8Array.of(9), 10);
      expect([id, recipients]).toEqual(['6', 3]);
      expect((await announcements.backlog(['done'])).get('done')!.entries.map((e) => e.id)).toEqual(['6']);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
