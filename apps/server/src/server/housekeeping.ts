import type { CmpServer } from '@cmpkit/core';
import type { StoredCertificate } from '@cmpkit/issuer';
import type { Logger } from '../log/logger.js';
import type { ServerContext } from './server-context.js';

/** What {@link runHousekeeping} did in one round. */
export interface HousekeepingReport {
  /** Transactions whose certConf never came (their certificates revoked). */
  expiredTransactions: number;
  /** Certificates revoked because their transaction ended unconfirmed without a record of it. */
  unconfirmedCertificates: number;
  /** Certificates revoked at their renewal deadline (serial numbers). */
  revokedAtDeadline: string[];
}

/** Options of {@link runHousekeeping}. */
export interface HousekeepingOptions {
  /** Tells the holder of a certificate revoked at its renewal deadline (a rann). */
  announceRevocation?(certificate: StoredCertificate): Promise<unknown>;
}

/**
 * One round of the CA's housekeeping, run every `expirySweepSeconds` by one serving process (any
 * may: everything is in the store): revokes the certificates of transactions whose certConf did
 * not come within confirmWaitTime, those still unconfirmed after every confirmation window has
 * closed although no transaction waits for them (a store failure or a crash part-way through a
 * request left them behind), and those whose renewal deadline (`renew-request`) passed without a
 * confirmed key update. Each step runs even when another fails; failures are logged.
 */
export async function runHousekeeping(
  ctx: ServerContext,
  service: CmpServer,
  logger: Logger,
  options: HousekeepingOptions = {},
): Promise<HousekeepingReport> {
  const report: HousekeepingReport = { expiredTransactions: 0, unconfirmedCertificates: 0, revokedAtDeadline: [] };
  try {
    report.expiredTransactions = await service.expireTransactions();
    if (report.expiredTransactions > 0) logger.info('revoked unconfirmed certificates', { transactions: report.expiredTransactions });
  } catch (error) {
    logger.error('expiring transactions failed', { error });
  }
  try {
    const { confirmWaitTime = 300, messageTimeWindow = 300 } = ctx.config.policy;
    const windowsClosed = new Date(ctx.clock().getTime() - (confirmWaitTime + messageTimeWindow + ctx.config.expirySweepSeconds) * 1000);
    report.unconfirmedCertificates = await ctx.issuer.revokeUnconfirmed(windowsClosed);
  } catch (error) {
    logger.error('revoking unconfirmed certificates failed', { error });
  }
  try {
    const { revoked } = await ctx.issuer.enforceRenewalDeadlines();
    for (const certificate of revoked) {
      report.revokedAtDeadline.push(certificate.serial);
      await options.announceRevocation?.(certificate);
    }
  } catch (error) {
    logger.error('enforcing renewal deadlines failed', { error });
  }
  return report;
}
