/**
 * Values of time-to-check-back from this one on are absolute (seconds since 1970-01-01 UTC, as
 * RFC 2510 defines them); smaller values are read as a delay in seconds, which some peers send.
 * 10^9 seconds is 2001-09-09, before any deployment of version 10.
 */
export const ABSOLUTE_CHECK_BACK_FROM = 1_000_000_000;

/** How long to wait before the `pollReq`, in ms, never negative. */
export function pollDelayMs(timeToCheckBack: number, nowMs: number): number {
  const delay = timeToCheckBack >= ABSOLUTE_CHECK_BACK_FROM ? timeToCheckBack * 1000 - nowMs : timeToCheckBack * 1000;
  return Math.max(0, delay);
}
