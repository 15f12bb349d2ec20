import { describe, expect, it } from 'vitest';
import { turnWriter } from '../../src/log/turn-writer.js';

describe('turnWriter', () => {
  it('passes on what one turn wrote in one call, in order, when the turn ends', async () => {
    const calls: string[] = [];
    const { write } = turnWriter((text) => calls.push(text));
    write('a\n');
    write('b\n');
    expect(calls).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['a\nb\n']);
    write('c\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['a\nb\n', 'c\n']);
  });

  it('flushes on demand, and the turn end then has nothing left to write', async () => {
    const calls: string[] = [];
    const writer = turnWriter((text) => calls.push(text));
    writer.write('last words\n');
    writer.flush();
    expect(calls).toEqual(['last words\n']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['last words\n']);
  });
});
