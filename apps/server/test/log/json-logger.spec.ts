import { describe, expect, it } from 'vitest';
import { formatLogger } from '../../src/log/format-logger.js';
import { transactionLogger } from '../../src/log/transaction-logger.js';
import { createExchangeScope } from '../../src/server/exchange-scope.js';
import { fakeClock } from '../helpers.js';

describe('JSON logs (logFormat json)', () => {
  it('writes one JSON object per line: level, ISO time, message and JSON-safe fields, from the level up', () => {
    const lines: string[] = [];
    const log = formatLogger('json', (l) => lines.push(l), 'info', fakeClock(new Date('2026-01-02T03:04:05Z')));
    log.debug('hidden');
    log.info('issued', { serial: 'ab', n: 3, none: undefined, bytes: Uint8Array.of(1, 255), big: 2n ** 70n });
    log.error('failed', { error: new Error('boom') });
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'info', time: '2026-01-02T03:04:05.000Z', msg: 'issued', serial: 'ab', n: 3, bytes: '01ff', big: '1180591620717411303424' },
      { level: 'error', time: '2026-01-02T03:04:05.000Z', msg: 'failed', error: 'boom' },
    ]);
  });

  it('carries the transactionID of the exchange on every line written on its behalf', async () => {
    const lines: string[] = [];
    const scope = createExchangeScope();
    const log = transactionLogger(
      formatLogger('json', (l) => lines.push(l), 'debug', fakeClock()),
      () => scope.current()?.transactionID,
    );
    await scope.run({ transactionID: '00ff' }, async () => {
      log.debug('decoded');
      await Promise.resolve();
      log.warn('refused', { reason: 'badPOP' });
      log.info('names its own', { transactionID: 'other' });
    });
    log.info('between exchanges');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.transactionID)).toEqual(['00ff', '00ff', 'other', undefined]);
    expect(parsed[1]).toMatchObject({ level: 'warn', msg: 'refused', reason: 'badPOP' });
  });
});
