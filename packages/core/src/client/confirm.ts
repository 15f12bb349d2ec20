import { oids, type CertStatus, type GeneralName } from '@cmpkit/codec';
import { computeCertHash } from '@cmpkit/protection';
import type { TransactionState } from '../message/transaction-state.js';
import type { CertificateDecision } from './certificate-decision.js';
import type { ClientContext } from './client-context.js';
import { exchange } from './exchange.js';

/**
 * Sends certConf (RFC 9810 section 5.3.18) accepting or rejecting one certificate and expects
 * pkiconf. A rejection carries status rejection, the decision's failInfo (default
 * badCertTemplate) and its reason as statusString.
 */
export async function confirm(
  ctx: ClientContext,
  transaction: TransactionState,
  certificate: Uint8Array,
  certReqId: number,
  decision: CertificateDecision,
  options: { signal?: AbortSignal | undefined; pvno: number; sender: GeneralName },
): Promise<void> {
  const hash = await computeCertHash(certificate, {
    crypto: ctx.runtime.crypto,
    pvno: 3,
    ...(ctx.init.algorithms ? { algorithms: ctx.init.algorithms } : {}),
    hashAlg: { algorithm: oids.id_sha256 },
  });
  const status: CertStatus = { certHash: hash.certHash, certReqId };
  if (hash.hashAlg) status.hashAlg = hash.hashAlg;
  if (!decision.accept) {
    status.statusInfo = {
      status: 2,
      failInfo: [decision.failInfo ?? 'badCertTemplate'],
      ...(decision.reason ? { statusString: [decision.reason] } : {}),
    };
  }
  await exchange(ctx, transaction, { type: 'certConf', content: [status] }, ['pkiconf'], {
    signal: options.signal,
    pvno: hash.hashAlg ? 3 : options.pvno,
    sender: options.sender,
  });
}
