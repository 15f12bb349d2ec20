import { jsonLogger } from './json-logger.js';
import { lineLogger, type LogFormat, type LogLevel, type Logger } from './logger.js';

/** A logger in `format` (text lines or JSON lines) writing to `write` from `level` up. */
export function formatLogger(format: LogFormat, write: (line: string) => void, level: LogLevel, clock: () => Date): Logger {
  return format === 'json' ? jsonLogger(write, level, clock) : lineLogger(write, level, clock);
}
