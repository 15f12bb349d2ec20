import type { CliEnvironment } from '../cli-environment.js';
import type { StoredCertificate } from '@cmpkit/issuer';
import { withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/** Options of `cmpkit-server cert list`. */
export interface CertListOptions extends CommonOptions {
  all?: boolean;
  json?: boolean;
}

function jsonOf(c: StoredCertificate): Record<string, unknown> {
  return {
    serial: c.serial,
    subject: c.subject,
    status: c.status,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    profile: c.profile,
    requester: c.requester,
    issuedAt: c.issuedAt.toISOString(),
    ...(c.revokedAt ? { revokedAt: c.revokedAt.toISOString() } : {}),
    ...(c.revocationReason === undefined ? {} : { revocationReason: c.revocationReason }),
  };
}

/**
 * `cmpkit-server cert list [--all] [--json]`: the certificates the server issued, newest first;
 * without `--all` the revoked ones are left out. One tab-separated line each (serial, subject,
 * status, notAfter, profile), or a JSON array with `--json`.
 */
export async function cert(action: string | undefined, args: string[], options: CertListOptions, env: CliEnvironment): Promise<number> {
  if (action !== 'list') throw new UsageError('cert needs list or issue');
  if (args.length) throw new UsageError(`cert list takes no arguments, not '${args[0]}'`);
  return withContext(options, env, async (ctx) => {
    const rows = (await ctx.store.certificates.list()).filter((c) => options.all || c.status !== 'revoked');
    if (options.json) {
      env.stdout(`${JSON.stringify(rows.map(jsonOf), null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) {
      env.stdout(options.all ? 'no certificates\n' : 'no certificates (revoked ones: --all)\n');
      return 0;
    }
    env.stdout('serial\tsubject\tstatus\tnotAfter\tprofile\n');
    for (const c of rows)
      env.stdout(`${c.serial}\t${c.subject || '(no subject)'}\t${c.status}\t${c.notAfter.toISOString()}\t${c.profile}\n`);
    return 0;
  });
}
