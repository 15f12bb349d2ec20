import type { PasswordDerivation, PasswordKeyDeriver } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';

/** How many password-based key derivations may run and wait. */
export interface KeyDerivationLimits {
  /** Derivations running at once. */
  maxConcurrent: number;
  /** Derivations waiting for a turn; one more is refused with systemUnavail. */
  maxQueued: number;
}

interface Waiting {
  derivation: PasswordDerivation;
  resolve(key: Uint8Array): void;
  reject(error: unknown): void;
}

/**
 * `deriver` with a concurrency cap: at most `maxConcurrent` derivations run, up to `maxQueued`
 * wait in arrival order, and any further one is refused at once. Whatever a peer asks for, the
 * derivations in flight stay bounded (and so do the threads or event-loop time they take).
 * Derivations the deriver runs at once in the calling thread (`deriveInline`) take no place:
 * short ones never wait behind long ones.
 */
export function limitKeyDerivations(deriver: PasswordKeyDeriver, limits: KeyDerivationLimits): PasswordKeyDeriver {
  const { maxConcurrent, maxQueued } = limits;
  if (!(Number.isInteger(maxConcurrent) && maxConcurrent > 0))
    throw new RangeError('core: keyDerivation.maxConcurrent must be a positive integer');
  if (!(Number.isInteger(maxQueued) && maxQueued >= 0))
    throw new RangeError('core: keyDerivation.maxQueued must be a non-negative integer');
  let running = 0;
  const queue: Waiting[] = [];

  function start(job: Waiting): void {
    running++;
    let result: Promise<Uint8Array>;
    try {
      result = deriver.derive(job.derivation);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(job.resolve, job.reject).finally(() => {
      running--;
      const next = queue.shift();
      if (next) start(next);
    });
  }

  const inline = deriver.deriveInline?.bind(deriver);
  return {
    ...(inline ? { deriveInline: inline } : {}),
    derive(derivation) {
      let key: Uint8Array | undefined;
      try {
        key = inline?.(derivation);
      } catch (error) {
        return Promise.reject(error);
      }
      if (key) return Promise.resolve(key);
      return new Promise<Uint8Array>((resolve, reject) => {
        const job = { derivation, resolve, reject };
        if (running < maxConcurrent) start(job);
        else if (queue.length < maxQueued) queue.push(job);
        else reject(new ProtocolError('systemUnavail', 'too many password-based key derivations are waiting; try again later'));
      });
    },
  };
}
