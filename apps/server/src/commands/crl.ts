import { resolve } from 'node:path';
import { encodePem } from '@cmpkit/codec';
import type { CliEnvironment } from '../cli-environment.js';
import { describeDeliveries } from '../announce/describe-deliveries.js';
import { announceNewCrl } from '../announce/crl-announcement.js';
import { createServerAnnouncer } from '../announce/server-announcer.js';
import { checkWritable, writeCommandFile } from './command-files.js';
import { loggerOf, runtimeOf, withContext, type CommonOptions } from './command-context.js';

/**
 * `cmpkit-server crl [--out F] [--new]`: prints the current CRL as PEM, or writes it to F (DER
 * when F ends in `.der` or `.crl`). A new CRL is signed when the current one is past its
 * nextUpdate, or with `--new`; a CRL not announced yet is announced (crlann) to every known
 * recipient, HTTP push subscribers included.
 */
export async function crl(options: CommonOptions & { out?: string; new?: boolean }, env: CliEnvironment): Promise<number> {
  const out = options.out === undefined ? undefined : resolve(runtimeOf(env).cwd, options.out);
  if (out !== undefined) await checkWritable('--out', out);
  return withContext(options, env, async (ctx) => {
    const current = options.new ? await ctx.crlPublisher.publish() : await ctx.crlPublisher.current();
    const announced = await announceNewCrl(ctx, createServerAnnouncer(ctx, loggerOf(env, ctx.config, true)));
    if (announced) env.stderr(`CRL number ${announced.crlNumber} announced: ${describeDeliveries(announced.deliveries)}\n`);
    const summary = `CRL number ${current.crlNumber}, thisUpdate ${current.thisUpdate.toISOString()}, nextUpdate ${current.nextUpdate.toISOString()}`;
    if (out === undefined) {
      env.stdout(encodePem('X509 CRL', current.der));
      env.stderr(`${summary}\n`);
      return 0;
    }
    await writeCommandFile('--out', out, /\.(der|crl)$/i.test(out) ? current.der : encodePem('X509 CRL', current.der));
    env.stdout(`wrote ${out}: ${summary}\n`);
    return 0;
  });
}
