import { oids, PKIStatus, type Extension, type Name, type RevDetails } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { RemoteError } from '../errors/remote-error.js';
import type { TransactionState } from '../message/transaction-state.js';
import type { ClientContext } from './client-context.js';
import { startTransaction } from './kem-transaction.js';
import { exchange } from './exchange.js';
import { freeText, pollForResponse } from './poll.js';

/** CRLReason (RFC 5280 section 5.3.1). */
export const CRLReason = Object.freeze({
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const);

/** What to revoke. */
export interface RevokeOptions {
  /** DER of the certificate to revoke (its issuer and serial identify it). */
  certificate?: Uint8Array;
  /**
   * Instead of `certificate`: the issuer and serial number of the certificate to revoke (an RA
   * revoking for an end entity, RFC 9483 section 5.3, may not hold the certificate itself).
   */
  certId?: { issuer: Name; serialNumber: bigint };
  /** CRLReason code; default unspecified (0), sent as a reasonCode crlEntryDetails extension. */
  reason?: number;
  signal?: AbortSignal;
}

/** The outcome of a revocation. */
export interface RevokeResult {
  /**
   * accepted (0), grantedWithMods (1), revocationWarning (4: done, with a warning the text
   * explains; OpenSSL counts it a success too) or revocationNotification (5).
   */
  status: number;
  /** The CA's text, if it sent one (the warning of a revocationWarning). */
  statusString?: readonly string[];
  transactionID: Uint8Array;
}

/** rp statuses that mean the revocation (or revival) took place. */
const SUCCESS_STATUSES: ReadonlySet<number> = new Set([
  PKIStatus.accepted,
  PKIStatus.grantedWithMods,
  PKIStatus.revocationWarning,
  PKIStatus.revocationNotification,
]);

function reasonCodeExtension(reason: number): Extension {
  if (!Number.isInteger(reason) || reason < 0 || reason > 10 || reason === 7) {
    throw new TypeError(`core: ${reason} is not a CRLReason`);
  }
  // CRLReason ::= ENUMERATED: identifier 0x0a, length 1, the value.
  return { extnID: oids.id_ce_cRLReasons, extnValue: Uint8Array.of(0x0a, 0x01, reason) };
}

/** rr/rp (RFC 9483 section 4.2): asks the CA to revoke a certificate. */
export async function revoke(ctx: ClientContext, options: RevokeOptions): Promise<RevokeResult> {
  const id = options.certificate ? parseCertificate(options.certificate) : options.certId;
  if (!id) throw new TypeError('core: revoke needs `certificate` or `certId`');
  const details: RevDetails = {
    certDetails: { issuer: id.issuer, serialNumber: id.serialNumber },
    crlEntryDetails: [reasonCodeExtension(options.reason ?? CRLReason.unspecified)],
  };
  const transaction: TransactionState = await startTransaction(ctx, options.signal);
  const startedAt = ctx.runtime.clock().getTime();
  let answer = await exchange(ctx, transaction, { type: 'rr', content: [details] }, ['rp'], {
    signal: options.signal,
    acceptWaiting: true,
  });
  if (answer.message.body.type === 'error') {
    answer = await pollForResponse(ctx, transaction, {
      request: 'rr',
      transactionID: transaction.transactionID,
      certReqId: -1,
      firstCheckAfter: 0,
      firstReason: freeText(answer.message.body.content.pKIStatusInfo.statusString),
      final: ['rp'],
      signal: options.signal,
      startedAt,
    });
  }
  if (answer.message.body.type !== 'rp') throw new ProtocolError('badRequest', `expected rp but got ${answer.message.body.type}`);
  const status = answer.message.body.content.status[0];
  if (!status) throw new ProtocolError('badRequest', 'rp carries no status');
  if (!SUCCESS_STATUSES.has(status.status)) throw RemoteError.fromStatusInfo(status, 'rp');
  if (status.status === PKIStatus.revocationWarning) {
    ctx.runtime.logger.warn('cmp: revoked, with a revocationWarning', { statusString: (status.statusString ?? []).join('; ') });
  }
  return {
    status: status.status,
    ...(status.statusString?.length ? { statusString: status.statusString } : {}),
    transactionID: transaction.transactionID,
  };
}
