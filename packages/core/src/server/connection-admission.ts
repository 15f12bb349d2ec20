/** Whether a transport takes a new connection, and if not, when the peer should try again. */
export type AdmissionDecision = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Asked by a server transport for each new connection, before it spends anything on it (the
 * WebSocket handshake, the first request's authentication). A refused peer is told to retry
 * later: WebSocket servers answer the upgrade with `503` and `Retry-After`, TCP servers with an
 * `errorMsgRep` carrying the delay. Pass it as the transport's `admit` option.
 */
export type ConnectionAdmission = (remoteAddress: string) => AdmissionDecision;

/** Construction input of {@link createConnectionRateLimit}. */
export interface ConnectionRateLimitInit {
  /** New connections admitted per second, sustained. */
  perSecond: number;
  /** Connections admitted at once after a quiet period (default: `perSecond`). */
  burst?: number;
  /** The longest `retryAfterSeconds` told to a refused peer (default 300). */
  maxRetryAfterSeconds?: number;
  /** Default: the platform clock. */
  clock?: () => Date;
}

/**
 * A {@link ConnectionAdmission} that admits new connections at a bounded rate (a token bucket of
 * `burst` tokens refilled at `perSecond`), so that a reconnect storm (every device of a fleet
 * coming back after a restart) is served at the rate the server sustains instead of collapsing
 * it. The refused are spread: each is told a later retry time than the one refused before it,
 * as far ahead as the refusals outstanding need at the admitted rate, so that they do not come
 * back all at once.
 *
 * @example
 * ```ts
 * const admit = createConnectionRateLimit({ perSecond: 500, burst: 1000 });
 * const wsServer = await createWsServer({ handle: server.handle, port: 8081, admit });
 * ```
 */
export function createConnectionRateLimit(init: ConnectionRateLimitInit): ConnectionAdmission {
  const { perSecond } = init;
  const burst = init.burst ?? perSecond;
  const maxRetryAfterSeconds = init.maxRetryAfterSeconds ?? 300;
  if (!(perSecond > 0 && Number.isFinite(perSecond))) throw new RangeError('core: perSecond must be a positive number');
  if (!(burst >= 1 && Number.isFinite(burst))) throw new RangeError('core: burst must be a number >= 1');
  if (!(maxRetryAfterSeconds >= 1)) throw new RangeError('core: maxRetryAfterSeconds must be >= 1');
  const clock = init.clock ?? (() => new Date());
  let tokens = burst;
  /** Refused peers told to come back, draining at `perSecond`. */
  let outstanding = 0;
  let last = clock().getTime();
  return () => {
    const now = clock().getTime();
    const elapsedSeconds = Math.max(0, now - last) / 1000;
    last = now;
    tokens = Math.min(burst, tokens + elapsedSeconds * perSecond);
    outstanding = Math.max(0, outstanding - elapsedSeconds * perSecond);
    if (tokens >= 1) {
      tokens -= 1;
      return { admitted: true };
    }
    outstanding += 1;
    return { admitted: false, retryAfterSeconds: Math.min(maxRetryAfterSeconds, Math.max(1, Math.ceil(outstanding / perSecond))) };
  };
}
