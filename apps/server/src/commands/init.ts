import { join } from 'node:path';
import type { CliEnvironment } from '../cli-environment.js';
import { CA_FILES } from '../pki/ca-material.js';
import type { ServerContext } from '../server/server-context.js';
import { configOf, loggerOf, runtimeOf, type CommonOptions } from './command-context.js';
import { initRa } from './ra.js';
import { openServerContext } from '../server/server-context.js';
import { withoutPassword } from '@cmpkit/store-postgres';

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

/** A word for a POSIX shell: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * What the first `serve` prints once it listens: the exact `cmpkit ir` and `openssl cmp -cmd ir`
 * commands that enroll against it (its real address, path and data directory), MAC-protected
 * with the seeded shared secret (or a placeholder when the configuration seeds none).
 */
export function describeEnrollment(ctx: ServerContext, address: { host: string; port: number }, env: CliEnvironment): void {
  const dir = ctx.config.dataDir;
  const host =
    address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host.includes(':') ? `[${address.host}]` : address.host;
  const path = ctx.config.http.path;
  const url = `http://${host}:${address.port}${path}`;
  const ref = ctx.seededSecret?.reference ?? 'REF';
  const secret = ctx.seededSecret ? `pass:${ctx.seededSecret.secret}` : 'pass:SECRET';
  const root = join(dir, CA_FILES.rootCertificate);
  const issuing = join(dir, CA_FILES.issuingCertificate);
  const w = shellWord;
  env.stdout(
    `enroll a device with the cmpkit client:\n` +
      `  cmpkit ir --server ${w(url)} --ref ${w(ref)} --secret ${w(secret)} --trusted ${w(root)} ` +
      `--newkey ec:P-256 --newkeyout device.key --subject /CN=device-1 --certout device.pem\n` +
      `or with OpenSSL:\n` +
      `  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out device.key\n` +
      `  openssl cmp -cmd ir -server ${w(`${host}:${address.port}`)} -path ${w(path.replace(/^\/+/, ''))} ` +
      `-ref ${w(ref)} -secret ${w(secret)} -newkey device.key -subject /CN=device-1 -certout device.pem\n` +
      `  openssl verify -CAfile ${w(root)} -untrusted ${w(issuing)} device.pem\n` +
      (ctx.seededSecret ? '' : `  (no shared secret yet: cmpkit-server secret add REF)\n`),
  );
}

/** `cmpkit-server init`: creates the CA material and the database, then exits. */
export async function init(options: CommonOptions & { role?: string; 'ca-data-dir'?: string }, env: CliEnvironment): Promise<number> {
  const config = await configOf(options, env, options.role === undefined ? {} : { role: options.role });
  if (config.role === 'ra') return initRa(config, options['ca-data-dir'], env);
  const { clock, crypto } = runtimeOf(env);
  const ctx = await openServerContext(config, { clock, crypto, logger: loggerOf(env, config, true) });
  try {
    describeSetup(ctx, env);
    if (!ctx.createdCa) env.stdout(`${config.dataDir} is already initialised\n`);
    env.stdout(`database ${withoutPassword(config.database)} (schema version ${ctx.store.migration.to})\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}
