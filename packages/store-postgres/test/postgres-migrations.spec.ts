import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '@cmpkit/store-sqlite';
import { POSTGRES_MIGRATIONS } from '../src/postgres-migrations.js';

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
