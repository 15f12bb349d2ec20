import { describe, expect, it } from 'vitest';
import { numberedPlaceholders } from '../src/postgres-connection.js';

describe('numberedPlaceholders', () => {
  it('numbers the ? placeholders in order, leaving quoted text alone', () => {
    expect(numberedPlaceholders("UPDATE t SET a = ?, b = 'why?' WHERE c = ? AND d <> 'it''s?'")).toBe(
      "UPDATE t SET a = $1, b = 'why?' WHERE c = $2 AND d <> 'it''s?'",
    );
    expect(numberedPlaceholders('SELECT "odd?name" FROM t WHERE x = ?')).toBe('SELECT "odd?name" FROM t WHERE x = $1');
    expect(numberedPlaceholders('SELECT 1')).toBe('SELECT 1');
  });
});
