/** Reconnection settings with their defaults applied and checked. */
export interface ReconnectSettings {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  maxAttempts: number;
}

/** The settings of `options` (the transport's `TcpReconnectOptions`), defaults filled in; RangeError for a value that cannot work. */
export function reconnectSettings(options: Partial<ReconnectSettings>): ReconnectSettings {
  const settings = { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, maxAttempts: Infinity, ...options };
  const { initialDelayMs, maxDelayMs, factor, maxAttempts } = settings;
  if (!(Number.isFinite(initialDelayMs) && initialDelayMs >= 0))
    throw new RangeError(`tcp: reconnect.initialDelayMs must be finite and >= 0: ${initialDelayMs}`);
  if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= initialDelayMs))
    throw new RangeError(`tcp: reconnect.maxDelayMs must be finite and >= initialDelayMs: ${maxDelayMs}`);
  if (!(factor >= 1)) throw new RangeError(`tcp: reconnect.factor must be >= 1: ${factor}`);
  if (!(maxAttempts >= 1)) throw new RangeError(`tcp: reconnect.maxAttempts must be >= 1: ${maxAttempts}`);
  return settings;
}

/** The wait before attempt `attempt` (1-based): exponential from initialDelayMs, capped at maxDelayMs. */
export function reconnectDelay(settings: ReconnectSettings, attempt: number): number {
  return Math.min(settings.maxDelayMs, settings.initialDelayMs * settings.factor ** (attempt - 1));
}
