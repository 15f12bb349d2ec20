export { createNodeCrypto } from './create-node-crypto.js';
export { createWorkerKeyDeriver } from './create-worker-key-deriver.js';
export type { WorkerDerivation, WorkerDerivationHash, WorkerKeyDeriver, WorkerKeyDeriverInit } from './create-worker-key-deriver.js';
