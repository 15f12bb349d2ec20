/** CoAP over UDP transmission parameters (RFC 7252 section 4.8); every field may be tuned. */
export interface TransmissionParameters {
  /** ACK_TIMEOUT, ms (default 2000). */
  ackTimeoutMs: number;
  /** ACK_RANDOM_FACTOR (default 1.5): the first wait is ACK_TIMEOUT times a random number from 1 to this. */
  ackRandomFactor: number;
  /** MAX_RETRANSMIT (default 4). */
  maxRetransmit: number;
}

export const DEFAULT_TRANSMISSION: TransmissionParameters = { ackTimeoutMs: 2000, ackRandomFactor: 1.5, maxRetransmit: 4 };

/** MAX_LATENCY (RFC 7252 section 4.8.2), ms. */
const MAX_LATENCY_MS = 100_000;

/** EXCHANGE_LIFETIME: how long a message ID is remembered for deduplication (247 s with the defaults). */
export function exchangeLifetimeMs(p: TransmissionParameters): number {
  const maxTransmitSpan = p.ackTimeoutMs * (2 ** p.maxRetransmit - 1) * p.ackRandomFactor;
  return maxTransmitSpan + 2 * MAX_LATENCY_MS + p.ackTimeoutMs;
}

/** MAX_TRANSMIT_WAIT: the longest a sender waits for an ACK after the first transmission. */
export function maxTransmitWaitMs(p: TransmissionParameters): number {
  return p.ackTimeoutMs * (2 ** (p.maxRetransmit + 1) - 1) * p.ackRandomFactor;
}

export function resolveTransmission(init: Partial<TransmissionParameters> | undefined): TransmissionParameters {
  const p = { ...DEFAULT_TRANSMISSION, ...init };
  if (!(p.ackTimeoutMs > 0) || !Number.isFinite(p.ackTimeoutMs))
    throw new RangeError(`coap: ackTimeoutMs must be positive: ${p.ackTimeoutMs}`);
  if (!(p.ackRandomFactor >= 1)) throw new RangeError(`coap: ackRandomFactor must be >= 1: ${p.ackRandomFactor}`);
  if (!Number.isInteger(p.maxRetransmit) || p.maxRetransmit < 0 || p.maxRetransmit > 20) {
    throw new RangeError(`coap: maxRetransmit must be an integer from 0 to 20: ${p.maxRetransmit}`);
  }
  return p;
}

/** A number in [0, 1) from the platform's CSPRNG (no Math.random anywhere in cmpkit). */
export function randomFraction(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
}

export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/**
 * Sends a confirmable message and its retransmissions (RFC 7252 section 4.2): `transmit` now, then
 * after ACK_TIMEOUT x random(1, ACK_RANDOM_FACTOR), doubling each time, MAX_RETRANSMIT times;
 * `giveUp` when the last wait ends without `stop()`.
 */
export function retransmit(transmit: () => void, p: TransmissionParameters, giveUp: () => void): { stop(): void } {
  let attempt = 0;
  let wait = p.ackTimeoutMs * (1 + randomFraction() * (p.ackRandomFactor - 1));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = (): void => {
    timer = setTimeout(() => {
      if (attempt >= p.maxRetransmit) {
        timer = undefined;
        giveUp();
        return;
      }
      attempt++;
      wait *= 2;
      transmit();
      next();
    }, wait);
    timer.unref?.();
  };
  transmit();
  next();
  return {
    stop: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
