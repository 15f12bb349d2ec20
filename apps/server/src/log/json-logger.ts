import { pino } from 'pino';
import type { LogLevel, Logger } from './logger.js';

/** A value as JSON can carry it: errors as their message, bytes as hex, big integers as decimal text. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  return value;
}

function jsonFields(data: Record<string, unknown> | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data ?? {})) if (value !== undefined) fields[key] = jsonValue(value);
  return fields;
}

/**
 * A logger writing one JSON object per event to `write` through pino:
 * `{"level":"info","time":"<ISO 8601>","msg":"...", ...fields}`, dropping events below `level`.
 * Field values are JSON-safe (errors as their message, bytes as hex, bigints as decimal text).
 */
export function jsonLogger(write: (line: string) => void, level: LogLevel, clock: () => Date): Logger {
  const log = pino(
    {
      level,
      base: null,
      messageKey: 'msg',
      timestamp: () => `,"time":"${clock().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write },
  );
  return {
    debug: (message, data) => log.debug(jsonFields(data), message),
    info: (message, data) => log.info(jsonFields(data), message),
    warn: (message, data) => log.warn(jsonFields(data), message),
    error: (message, data) => log.error(jsonFields(data), message),
  };
}
