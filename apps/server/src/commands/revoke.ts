import type { CliEnvironment } from '../cli-environment.js';
import { describeDeliveries } from '../announce/describe-deliveries.js';
import { announceRevocation } from '../announce/holder-announcements.js';
import { announceNewCrl } from '../announce/crl-announcement.js';
import { createServerAnnouncer } from '../announce/server-announcer.js';
import { isRevocationReason, parseReason, parseSerial, reasonName, serialHex } from '@cmpkit/issuer';
import { loggerOf, withContext, type CommonOptions } from './command-context.js';
import { routeText } from './renew-request.js';
import { UsageError } from './usage-error.js';

/**
 * `cmpkit-server revoke --serial HEX [--reason N|NAME]`: revokes, publishes a new CRL, tells the
 * holder with a revocation announcement (rann, status accepted) and announces the CRL (crlann)
 * to every known recipient.
 */
export async function revoke(options: CommonOptions & { serial?: string; reason?: string }, env: CliEnvironment): Promise<number> {
  if (options.serial === undefined) throw new UsageError('revoke needs --serial HEX');
  let serial: bigint;
  try {
    serial = parseSerial(options.serial);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^server: /, ''));
  }
  const reason = options.reason === undefined ? 0 : parseReason(options.reason);
  if (reason === undefined || !isRevocationReason(reason)) {
    throw new UsageError(`--reason must be a CRLReason code or name (0-6, 9, 10; keyCompromise, superseded, ...)`);
  }
  return withContext(options, env, async (ctx) => {
    const outcome = await ctx.issuer.revokeSerial(serial, reason);
    const hex = serialHex(serial);
    if (outcome === 'unknown') {
      env.stderr(`cmpkit-server: no certificate with serial ${hex} was issued here\n`);
      return 1;
    }
    if (outcome === 'alreadyRevoked') {
      env.stderr(`cmpkit-server: certificate ${hex} is already revoked\n`);
      return 1;
    }
    const crl = await ctx.store.crls.current();
    env.stdout(`revoked ${hex} (${reasonName(reason)}); CRL number ${crl?.crlNumber ?? '?'} published\n`);
    const stored = await ctx.store.certificates.get(hex);
    const logger = loggerOf(env, ctx.config, true);
    if (stored) {
      const delivery = await announceRevocation(ctx, logger, stored.der, 'accepted', stored.revokedAt ?? ctx.clock());
      env.stdout(`revocation announced to ${stored.subject}: ${routeText(delivery.route)}\n`);
    }
    const announced = await announceNewCrl(ctx, createServerAnnouncer(ctx, logger));
    if (announced) env.stdout(`CRL announced: ${describeDeliveries(announced.deliveries)}\n`);
    return 0;
  });
}
