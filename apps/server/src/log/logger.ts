import type { Logger } from '@cmpkit/core';

export type { Logger };

/** The levels in order of severity. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A level from {@link LOG_LEVELS}; `silent` logs nothing. */
export type LogLevel = (typeof LOG_LEVELS)[number] | 'silent';

/** How log lines look: readable text, or one JSON object per line. */
export const LOG_FORMATS = ['text', 'json'] as const;

/** A format from {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The same logger with `info` lowered to `debug`: the engine's own per-request lines, which
 * the request log's line replaces at `info`.
 */
export function demoteInfo(logger: Logger): Logger {
  return { debug: logger.debug, info: logger.debug, warn: logger.warn, error: logger.error };
}

function valueText(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /^[\x21-\x7e]+$/.test(value) && !value.includes('"') ? value : JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  return JSON.stringify(value) ?? String(value);
}

/**
 * A logger writing one line per event, `<time> <level> <message> key=value ...`, to `write`
 * (standard error in the CLI), dropping events below `level`.
 */
export function lineLogger(write: (line: string) => void, level: LogLevel, clock: () => Date): Logger {
  const threshold = level === 'silent' ? LOG_LEVELS.length : LOG_LEVELS.indexOf(level);
  const at = (lvl: (typeof LOG_LEVELS)[number]) => (message: string, data?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(lvl) < threshold) return;
    const fields = Object.entries(data ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}=${valueText(v)}`)
      .join('');
    write(`${clock().toISOString()} ${lvl.padEnd(5)} ${message}${fields}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
