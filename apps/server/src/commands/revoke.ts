import type { CliEnvironment } from '../cli-environment.js';
import { isRevocationReason, parseReason, reasonName } from '../issuer/revocation-reason.js';
import { parseSerial, serialHex } from '../pki/serial-number.js';
import { withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/** `cmpkit-server revoke --serial HEX [--reason N|NAME]`: revokes and publishes a new CRL. */
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
    return 0;
  });
}
