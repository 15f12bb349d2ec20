import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../src/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'cmpkit-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openSqlite', () => {
  it.each([
    ['full', 2],
    ['normal', 1],
  ] as const)('durability %s opens WAL with synchronous %i', (durability, level) => {
    const db = openSqlite(join(dir, `${durability}.sqlite`), durability);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(level);
    } finally {
      db.close();
    }
  });

  it('defaults to full durability', () => {
    const db = openSqlite(join(dir, 'default.sqlite'));
    try {
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });
});
