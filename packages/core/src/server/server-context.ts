import type { GeneralName } from '@cmpkit/codec';
import { createCertificateCache, type CertificateCache } from '@cmpkit/protection';
import { directoryName } from '../message/general-names.js';
import { resolveRuntime, type Runtime } from '../runtime.js';
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
  return {
    init,
    runtime,
    name: directoryName(init.name),
    policy,
    transactions: init.stores?.transactions ?? memoryTransactionStore(runtime.clock),
    nonces: init.stores?.nonces ?? memoryNonceStore(runtime.clock),
    cache: createCertificateCache(),
  };
}
