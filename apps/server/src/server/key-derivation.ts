import type { KeyDerivationSettings } from '@cmpkit/core';
import { createWorkerKeyDeriver, type WorkerKeyDeriver } from '@cmpkit/node-crypto';

/** The server's password-based key derivations: on a worker thread, and how many at once. */
export interface ServerKeyDerivation extends KeyDerivationSettings {
  deriver: WorkerKeyDeriver;
}

/**
 * PasswordBasedMac, PBMAC1 and PWRI derivations on one worker thread, one at a time, at most 256
 * waiting (then systemUnavail): a peer that asks for the most iterations the MAC bounds allow
 * keeps one thread busy, never the event loop that answers everybody else.
 */
export function serverKeyDerivation(): ServerKeyDerivation {
  return { deriver: createWorkerKeyDeriver({ threads: 1 }), maxConcurrent: 1, maxQueued: 256 };
}
