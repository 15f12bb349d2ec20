import type { PollWait } from '@cmpkit/core';
import type { Io } from './io.js';

/**
 * Progress lines on standard error while the client polls: what the server said and when the
 * next pollReq goes (the client's `onWaiting` hook).
 */
export function pollProgress(io: Io): (wait: PollWait) => void {
  return ({ request, checkAfter, reason, polls }) => {
    const state = polls === 0 ? 'the server asks to wait' : `still waiting after ${polls} poll${polls === 1 ? '' : 's'}`;
    const said = reason ? ` (${JSON.stringify(reason)})` : '';
    const next = checkAfter > 0 ? `next poll in ${checkAfter} s` : 'polling now';
    io.stderr(`cmpkit: ${request}: ${state}${said}; ${next}\n`);
  };
}

/** True for key specs whose generation takes long enough to say so (RSA: seconds at 4096 bits). */
export function isSlowKeySpec(spec: string): boolean {
  return /^rsa(:|$)/i.test(spec);
}

/** Generates a key with `generate`, saying so on standard error first when that takes a while. */
export async function withKeyProgress<T>(io: Io, spec: string, purpose: string, generate: () => Promise<T>): Promise<T> {
  if (isSlowKeySpec(spec)) io.stderr(`cmpkit: generating ${purpose} (${spec.toLowerCase()}), this can take a few seconds...\n`);
  return generate();
}
