import { createIteratedDigest } from './iterated-digest.js';

/**
 * The code of a key-derivation worker thread, as source text: a worker started with
 * `{ eval: true }` runs the same way from the TypeScript sources (tests) and from either build
 * (ESM and CommonJS), where a worker file next to the module would need a loader or a copy step.
 * PasswordBasedMac uses {@link createIteratedDigest} (its source is spliced in), PBKDF2
 * node:crypto's pbkdf2Sync.
 *
 * With `workerData.nice` (Linux only, where the nice value belongs to a thread) the thread lowers
 * its own priority.
 *
 * Protocol: the parent posts `{ id, algorithm, hash, secret, salt, iterationCount, keyLength }`;
 * the worker answers `{ id, key }` (the key's buffer transferred) or `{ id, error }`.
 */
export const KEY_DERIVATION_WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
// On Linux the nice value is per thread: this one yields the CPU to the event loop it serves.
if (workerData && workerData.nice) {
  try {
    require('node:os').setPriority(workerData.nice);
  } catch {
    // Not permitted here: the thread keeps the process's priority.
  }
}
const { createHash, pbkdf2Sync } = require('node:crypto');
const digest = (${createIteratedDigest.toString()})(createHash);
const NODE_HASH = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function derive(job) {
  if (job.algorithm === 'PasswordBasedMac') return digest.iterate(job.hash, job.secret, job.salt, job.iterationCount);
  if (job.algorithm !== 'PBKDF2') throw new Error('unsupported derivation ' + job.algorithm);
  if (!NODE_HASH[job.hash]) throw new Error('unsupported hash ' + job.hash);
  return new Uint8Array(pbkdf2Sync(job.secret, job.salt, job.iterationCount, job.keyLength, NODE_HASH[job.hash]));
}

parentPort.on('message', (job) => {
  let key;
  try {
    key = derive(job);
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.message ? error.message : error) });
    return;
  }
  parentPort.postMessage({ id: job.id, key }, [key.buffer]);
});
`;
