import { join } from 'node:path';
import type { CliEnvironment } from '../cli-environment.js';
import { CA_FILES } from '../pki/ca-material.js';
import type { ServerContext } from '../server/server-context.js';
import { configOf, loggerOf, runtimeOf, type CommonOptions } from './command-context.js';
import { importCaMaterial, type ImportSources } from './import-ca.js';
import { initRa } from './ra.js';
import { UsageError } from './usage-error.js';
import { openServerContext } from '../server/server-context.js';
import { withoutPassword } from '@cmpkit/store-postgres';

const IMPORT_OPTIONS = ['ca-cert', 'ca-key', 'ca-chain', 'cmp-cert', 'cmp-key'] as const;

/** What `init` and the first `start` print about a new data directory. */
export function describeSetup(ctx: ServerContext, env: CliEnvironment): void {
  const dir = ctx.config.dataDir;
  if (ctx.createdCa) {
    env.stdout(
      `created a CA in ${dir}:\n` +
        `  root CA certificate     ${join(dir, CA_FILES.rootCertificate)}\n` +
        `  issuing CA certificate  ${join(dir, CA_FILES.issuingCertificate)}\n` +
        `  CMP server certificate  ${join(dir, CA_FILES.serverCertificate)}\n` +
        (ctx.material.cmpServerKem
          ? `  CMP server KEM certificate (for --srv-kem-cert)  ${join(dir, CA_FILES.serverKemCertificate)}\n`
          : ''),
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
  const host =
    address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host.includes(':') ? `[${address.host}]` : address.host;
  const path = ctx.config.http.path;
  const tls = ctx.config.http.tls;
  const url = `${tls ? 'https' : 'http'}://${host}:${address.port}${path}`;
  const ref = ctx.seededSecret?.reference ?? 'REF';
  const secret = ctx.seededSecret ? `pass:${ctx.seededSecret.secret}` : 'pass:SECRET';
  // The root is in ca.chain, or is the CA certificate itself (a self-signed imported CA).
  const root = ctx.material.issuing.chain.length > 0 ? ctx.config.ca.chain : ctx.config.ca.certificate;
  const issuing = ctx.config.ca.certificate;
  const w = shellWord;
  env.stdout(
    `enroll a device with the cmpkit client:\n` +
      `  cmpkit ir --server ${w(url)} --ref ${w(ref)} --secret ${w(secret)} --trusted ${w(root)} ` +
      (tls ? `--tls-trusted ${w(root)} ` : '') +
      `--newkey ec:P-256 --newkeyout device.key --subject /CN=device-1 --certout device.pem\n` +
      `or with OpenSSL:\n` +
      `  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out device.key\n` +
      `  openssl cmp -cmd ir -server ${w(`${host}:${address.port}`)} -path ${w(path.replace(/^\/+/, ''))} ` +
      (tls ? `-tls_used -tls_trusted ${w(root)} ` : '') +
      `-ref ${w(ref)} -secret ${w(secret)} -newkey device.key -subject /CN=device-1 -certout device.pem\n` +
      `  openssl verify -CAfile ${w(root)} -untrusted ${w(issuing)} device.pem\n` +
      (ctx.seededSecret ? '' : `  (no shared secret yet: cmpkit-server secret add REF)\n`),
  );
}

/** Options of `cmpkit-server init`. */
export interface InitOptions extends CommonOptions, ImportSources {
  role?: string;
  'ca-data-dir'?: string;
  /** The CA's key algorithm, e.g. `ec:P-256`, `rsa:3072`, `ml-dsa-65`. */
  'key-algorithm'?: string;
  /** Import an existing CA (`--ca-cert`, `--ca-key`, `--ca-chain`, `--cmp-cert`, `--cmp-key`) instead of generating one. */
  import?: boolean;
}

/**
 * `cmpkit-server init`: creates the CA material (or, with `--import`, takes an existing CA's) and
 * the database, then exits.
 */
export async function init(options: InitOptions, env: CliEnvironment): Promise<number> {
  const config = await configOf(options, env, {
    ...(options.role === undefined ? {} : { role: options.role }),
    ...(options['key-algorithm'] === undefined ? {} : { keyAlgorithm: options['key-algorithm'] }),
  });
  if (config.role === 'ra') return initRa(config, options['ca-data-dir'], env);
  const { clock, crypto } = runtimeOf(env);
  const importing = IMPORT_OPTIONS.filter((o) => options[o] !== undefined);
  if (!options.import && importing.length > 0) throw new UsageError(`--${importing[0]} needs --import`);
  if (options.import) {
    const lines = await importCaMaterial(config, options, env, crypto, clock);
    env.stdout(`imported a CA into ${config.dataDir}:\n${lines.join('\n')}\n`);
  }
  const ctx = await openServerContext(config, {
    clock,
    crypto,
    logger: loggerOf(env, config, true),
    progress: (text) => env.stderr(`${text}...\n`),
  });
  try {
    if (ctx.issuedCmpCertificate) env.stdout(`  CMP server certificate  ${ctx.issuedCmpCertificate} (issued by the CA, key beside it)\n`);
    describeSetup(ctx, env);
    if (!ctx.createdCa && !options.import) env.stdout(`${config.dataDir} is already initialised\n`);
    env.stdout(`database ${withoutPassword(config.database)} (schema version ${ctx.store.migration.to})\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}
