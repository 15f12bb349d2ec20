/** Reconnection settings with their defaults applied. */
export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  maxAttempts: number;
}

/** The wait before reconnection attempt `attempt` (1-based): `initialDelayMs * factor^(attempt-1)`, at most `maxDelayMs`. No jitter. */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  return Math.min(backoff.maxDelayMs, backoff.initialDelayMs * backoff.factor ** (attempt - 1));
}
