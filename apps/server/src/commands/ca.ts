import { join, resolve } from 'node:path';
import type { CliEnvironment } from '../cli-environment.js';
import { describeDeliveries } from '../announce/describe-deliveries.js';
import { createServerAnnouncer } from '../announce/server-announcer.js';
import { CA_FILES } from '../pki/ca-material.js';
import { fileExists } from '../pki/load-ca-material.js';
import { certificatesPem } from '../pki/pem.js';
import { rollRootCa } from '../pki/root-rollover.js';
import { checkWritable, writeCommandFile } from './command-files.js';
import { loggerOf, runtimeOf, withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/**
 * `cmpkit-server ca certs [--out F] [--root-only]`: the CA chain as PEM (issuing CA, then root),
 * for clients' `-trusted`/`-untrusted` options.
 */
export async function ca(
  action: string | undefined,
  options: CommonOptions & { out?: string; 'root-only'?: boolean; days?: string },
  env: CliEnvironment,
): Promise<number> {
  if (action === 'rollover') return rollover(options, env);
  if (action !== 'certs') throw new UsageError('ca needs certs, csr or rollover');
  const out = options.out === undefined ? undefined : resolve(runtimeOf(env).cwd, options.out);
  if (out !== undefined) await checkWritable('--out', out);
  return withContext(options, env, async (ctx) => {
    const { issuing, links, root } = ctx.material;
    const certs = options['root-only'] ? [root.certificate] : [issuing.certificate, ...issuing.chain.filter((c) => !links.includes(c))];
    const pem = certificatesPem(certs);
    if (out === undefined) {
      env.stdout(pem);
      return 0;
    }
    const path = out;
    await writeCommandFile('--out', path, pem);
    env.stdout(`wrote ${certs.length} certificate${certs.length === 1 ? '' : 's'} to ${path}\n`);
    return 0;
  });
}

/**
 * `cmpkit-server ca rollover [--days N]`: root CA key update (RFC 9810 section 4.4). A new root
 * key and certificate, the link certificates newWithOld and oldWithNew, the issuing CA certified
 * again under the new root; the update is stored for genm rootCaCert and announced (ckuann,
 * signed with the CMP server key and the chain to the old root, which is what end entities
 * trust until then) to every known recipient. A running server picks up the new material.
 */
async function rollover(options: CommonOptions & { days?: string }, env: CliEnvironment): Promise<number> {
  const days = options.days === undefined ? undefined : Number(options.days);
  if (days !== undefined && !(Number.isInteger(days) && days > 0))
    throw new UsageError(`--days must be a positive integer, not '${options.days}'`);
  return withContext(options, env, async (ctx) => {
    const { clock, crypto } = runtimeOf(env);
    const rootKey = join(ctx.config.dataDir, CA_FILES.rootKey);
    if (!(await fileExists(rootKey))) {
      throw new UsageError(
        `ca rollover needs the root CA key ${rootKey}; roll the root of an imported CA over with the tools that made it`,
      );
    }
    const before = ctx.material;
    const { update } = await rollRootCa(ctx.config.dataDir, before, {
      keyAlgorithm: ctx.config.ca.keyAlgorithm,
      validityDays: days ?? ctx.config.ca.rootValidityDays,
      crypto,
      clock,
    });
    await ctx.store.rootCaUpdates.add(update);
    env.stdout(`new root CA key and certificate in ${ctx.config.dataDir} (old root kept in previous-roots.pem)\n`);
    const announcer = createServerAnnouncer(ctx, loggerOf(env, ctx.config, true), { signer: before.cmpServer });
    const result = await announcer.broadcast({
      type: 'ckuann',
      newWithNew: update.newWithNew,
      newWithOld: update.newWithOld,
      oldWithNew: update.oldWithNew,
    });
    env.stdout(`CA key update announced: ${describeDeliveries(result)}\n`);
    return 0;
  });
}
