import type { GeneralName } from '@cmpkit/codec';
import {
  createCertificateCache,
  createMacKeyCache,
  inlineKeyDeriver,
  type CertificateCache,
  type MacKeyCache,
  type PasswordKeyDeriver,
} from '@cmpkit/protection';
import { directoryName } from '../message/general-names.js';
import { resolveRuntime, type Runtime } from '../runtime.js';
import { limitKeyDerivations } from './key-derivation-limit.js';
import { memoryNonceStore, memoryTransactionStore } from './memory-stores.js';
import type { ServerInit, ServerPolicy } from './server-init.js';
import type { NonceStore, TransactionStore } from './stores.js';

/** A server's settings with every default filled in. */
export interface ServerContext {
  readonly init: ServerInit;
  readonly runtime: Runtime;
  readonly name: GeneralName;
  readonly policy: Required<ServerPolicy>;
  readonly transactions: TransactionStore;
  readonly nonces: NonceStore;
  /** Parsed certificates, imported keys and verified signatures, reused across requests. */
  readonly cache: CertificateCache;
  /** Password-based key derivations, capped (see `KeyDerivationSettings`). */
  readonly keyDeriver: PasswordKeyDeriver;
  /** MAC keys that verified, reused for the answer and the rest of the transaction. */
  readonly macKeys: MacKeyCache;
  /**
   * A random secret for MAC work on behalf of an unknown senderKID (verification and the error's
   * protection), so that answers for unknown and known references look and take alike.
   */
  readonly decoySecret: Uint8Array;
}

export function resolveServerContext(init: ServerInit): ServerContext {
  const runtime = resolveRuntime(init);
  const policy: Required<ServerPolicy> = {
    acceptUnprotected: false,
    sendUnprotectedErrors: false,
    acceptRAVerified: false,
    grantImplicitConfirm: false,
    messageTimeWindow: 300,
    confirmWaitTime: 300,
    allowMacRevocation: false,
    transactionTtl: 3600,
    requireExtraCertsChain: true,
    allowKeyReuseOnUpdate: false,
    ...init.policy,
  };
  // A record awaiting certConf must outlive its confirmWaitTime, or a store could drop it before
  // expireTransactions() revokes its certificates.
  policy.transactionTtl = Math.max(policy.transactionTtl, policy.confirmWaitTime + policy.messageTimeWindow);
  const settings = init.keyDerivation ?? {};
  const algorithms = init.protection.algorithms;
  const keyDeriver = limitKeyDerivations(
    settings.deriver ?? inlineKeyDeriver({ crypto: runtime.crypto, ...(algorithms ? { algorithms } : {}) }),
    { maxConcurrent: settings.maxConcurrent ?? 2, maxQueued: settings.maxQueued ?? 256 },
  );
  return {
    init,
    runtime,
    name: directoryName(init.name),
    policy,
    transactions: init.stores?.transactions ?? memoryTransactionStore(runtime.clock),
    nonces: init.stores?.nonces ?? memoryNonceStore(runtime.clock),
    cache: createCertificateCache(),
    keyDeriver,
    macKeys: createMacKeyCache({ maxAgeMs: policy.transactionTtl * 1000, now: () => runtime.clock().getTime() }),
    decoySecret: runtime.crypto.getRandomValues(new Uint8Array(32)),
  };
}
