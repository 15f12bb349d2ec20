import { join } from 'node:path';
import type { CliEnvironment } from '../cli-environment.js';
import { CA_FILES } from '../pki/ca-material.js';
import type { ServerContext } from '../server/server-context.js';
import { configOf, loggerOf, runtimeOf, type CommonOptions } from './command-context.js';
import { openServerContext } from '../server/server-context.js';

/** What `init` and the first `start` print about a new data directory. */
export function describeSetup(ctx: ServerContext, env: CliEnvironment): void {
  const dir = ctx.config.dataDir;
  if (ctx.createdCa) {
    env.stdout(
      `created a CA in ${dir}:\n` +
        `  root CA certificate     ${join(dir, CA_FILES.rootCertificate)}\n` +
        `  issuing CA certificate  ${join(dir, CA_FILES.issuingCertificate)}\n` +
        `  CMP server certificate  ${join(dir, CA_FILES.serverCertificate)}\n`,
    );
  }
  if (ctx.seededSecret) {
    const { reference, secret } = ctx.seededSecret;
    env.stdout(
      `shared secret for MAC-protected clients: reference '${reference}', secret '${secret}'\n` +
        `  e.g. openssl cmp ... -ref ${reference} -secret pass:${secret}\n` +
        `  (change it: cmpkit-server secret add ${reference})\n`,
    );
  }
}

/** `cmpkit-server init`: creates the CA material and the database, then exits. */
export async function init(options: CommonOptions, env: CliEnvironment): Promise<number> {
  const config = await configOf(options, env);
  const { clock, crypto } = runtimeOf(env);
  const ctx = await openServerContext(config, { clock, crypto, logger: loggerOf(env, config, true) });
  try {
    describeSetup(ctx, env);
    if (!ctx.createdCa) env.stdout(`${config.dataDir} is already initialised\n`);
    env.stdout(`database ${config.database} (schema version ${ctx.store.migration.to})\n`);
    return 0;
  } finally {
    ctx.close();
  }
}
