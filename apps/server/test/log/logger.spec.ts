import { describe, expect, it } from 'vitest';
import { demoteInfo, lineLogger } from '../../src/log/logger.js';
import { fakeClock } from '../helpers.js';

describe('lineLogger', () => {
  it('writes time, level, message and fields, dropping lower levels', () => {
    const lines: string[] = [];
    const log = lineLogger((l) => lines.push(l), 'info', fakeClock(new Date('2026-01-02T03:04:05Z')));
    log.debug('hidden');
    log.info('issued', { serial: 'ab', subject: '/CN=a b', n: 3, none: undefined, bytes: Uint8Array.of(1, 255) });
    log.error('failed', { error: new Error('boom') });
    expect(lines).toEqual([
      '2026-01-02T03:04:05.000Z info  issued serial=ab subject="/CN=a b" n=3 bytes=01ff\n',
      '2026-01-02T03:04:05.000Z error failed error="boom"\n',
    ]);
  });

  it('silent writes nothing; demoteInfo moves info to debug', () => {
    const lines: string[] = [];
    lineLogger((l) => lines.push(l), 'silent', fakeClock()).error('x');
    expect(lines).toEqual([]);
    const log = demoteInfo(lineLogger((l) => lines.push(l), 'info', fakeClock()));
    log.info('engine line');
    log.warn('kept');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('warn  kept');
  });
});
