import type { CliEnvironment } from '../cli-environment.js';
import { announceRevocation } from '../announce/holder-announcements.js';
import { parseSerial } from '@cmpkit/issuer';
import { loggerOf, runtimeOf, withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/**
 * `cmpkit-server renew-request --serial HEX --before TIME`: asks the holder of a certificate to
 * re-enroll (kur) before TIME, with a revocation announcement of status revocationWarning and
 * willBeRevokedAt TIME (RFC 9810 section 5.3.15). It reaches the holder on its TCP or WebSocket
 * connection (now, or when it next connects) or at its registered push URL.
 */
export async function renewRequest(options: CommonOptions & { serial?: string; before?: string }, env: CliEnvironment): Promise<number> {
  if (options.serial === undefined || options.before === undefined)
    throw new UsageError('renew-request needs --serial HEX and --before TIME');
  let serial: bigint;
  try {
    serial = parseSerial(options.serial);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^server: /, ''));
  }
  const before = parseTime(options.before, runtimeOf(env).clock());
  return withContext(options, env, async (ctx) => {
    const stored = await ctx.store.certificates.get(serial.toString(16));
    if (!stored) {
      env.stderr(`cmpkit-server: no certificate with serial ${serial.toString(16)} was issued here\n`);
      return 1;
    }
    if (stored.status === 'revoked') {
      env.stderr(`cmpkit-server: certificate ${stored.serial} is revoked already\n`);
      return 1;
    }
    const delivery = await announceRevocation(ctx, loggerOf(env, ctx.config, true), stored.der, 'revocationWarning', before);
    env.stdout(`renewal of ${stored.serial} (${stored.subject}) requested before ${before.toISOString()}: ${routeText(delivery.route)}\n`);
    return 0;
  });
}

/** How one announcement went, in words. */
export function routeText(route: 'pushed' | 'posted' | 'stored'): string {
  return route === 'stored' ? 'stored for the running server to deliver' : route;
}

/** An ISO 8601 time, or `+N[smhd]` from now. */
function parseTime(text: string, now: Date): Date {
  const relative = /^\+(\d+)([smhd])$/.exec(text);
  if (relative) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() + Number(relative[1]) * unit);
  }
  const time = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time.getTime())) {
    throw new UsageError(`--before must be an ISO 8601 time (2027-01-31T00:00:00Z) or +N[s|m|h|d], not '${text}'`);
  }
  return time;
}
