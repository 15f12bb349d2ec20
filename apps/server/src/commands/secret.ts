import { resolve } from 'node:path';
import type { CliEnvironment } from '../cli-environment.js';
import { readSecretReference } from '../config/secret-reference.js';
import type { CommandLineSecret } from '../server/command-line-secrets.js';
import { readCommandFile } from './command-files.js';
import { runtimeOf, withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/**
 * A secret as `openssl cmp -secret` takes it: `pass:TEXT`, `env:VAR` or `file:PATH` (first line).
 */
export async function readSecretArg(arg: string, env: CliEnvironment): Promise<string> {
  const { cwd } = runtimeOf(env);
  if (arg.startsWith('file:')) {
    // Read here, so that a file error names the option and the file like every other.
    const bytes = await readCommandFile('--secret', resolve(cwd, arg.slice('file:'.length)));
    return new TextDecoder().decode(bytes).split(/\r?\n/)[0] ?? '';
  }
  try {
    return await readSecretReference(arg, cwd);
  } catch (cause) {
    if (!/^(pass|env):/.test(arg)) throw new UsageError('--secret must be pass:TEXT, env:VAR or file:PATH');
    throw cause instanceof Error ? new UsageError(cause.message) : cause;
  }
}

/**
 * A shared secret of `serve --secret REF:SECRET`: the reference, a colon, then the secret as
 * {@link readSecretArg} takes it (`demo:pass:TEXT`, `demo:env:VAR`, `demo:file:PATH`).
 */
export async function parseServeSecret(arg: string, env: CliEnvironment): Promise<CommandLineSecret> {
  const colon = arg.indexOf(':');
  if (colon <= 0) throw new UsageError(`--secret '${arg}' must be REF:pass:TEXT, REF:env:VAR or REF:file:PATH`);
  const secret = await readSecretArg(arg.slice(colon + 1), env);
  if (secret === '') throw new UsageError(`--secret for reference '${arg.slice(0, colon)}' is empty`);
  return { reference: arg.slice(0, colon), secret };
}

/** 24 random characters from an unambiguous alphabet (about 140 bits). */
export function randomSecret(crypto: Crypto): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** `cmpkit-server secret add|list|remove`. */
export async function secret(
  action: string | undefined,
  args: string[],
  options: CommonOptions & { secret?: string },
  env: CliEnvironment,
): Promise<number> {
  switch (action) {
    case 'add': {
      const [reference] = args;
      if (args.length !== 1 || !reference) throw new UsageError('secret add needs REF');
      const given = options.secret === undefined ? undefined : await readSecretArg(options.secret, env);
      const value = given ?? randomSecret(runtimeOf(env).crypto);
      if (value === '') throw new UsageError('the secret must not be empty');
      return withContext(options, env, async (ctx) => {
        const replaced = await ctx.store.secrets.add(reference, value);
        env.stdout(`${replaced ? 'replaced' : 'added'} secret '${reference}'\n`);
        if (given === undefined) env.stdout(`secret: ${value}\n  e.g. openssl cmp ... -ref ${reference} -secret pass:${value}\n`);
        return 0;
      });
    }
    case 'list':
      if (args.length !== 0) throw new UsageError('secret list takes no arguments');
      return withContext(options, env, async (ctx) => {
        const entries = await ctx.store.secrets.list();
        if (entries.length === 0) env.stdout('no shared secrets\n');
        for (const e of entries) env.stdout(`${e.reference}\t${e.createdAt.toISOString()}\n`);
        return 0;
      });
    case 'remove': {
      const [reference] = args;
      if (args.length !== 1 || !reference) throw new UsageError('secret remove needs REF');
      return withContext(options, env, async (ctx) => {
        if (!(await ctx.store.secrets.remove(reference))) {
          env.stderr(`cmpkit-server: no secret '${reference}'\n`);
          return 1;
        }
        env.stdout(`removed secret '${reference}'\n`);
        return 0;
      });
    }
    default:
      throw new UsageError('secret needs add, list or remove');
  }
}
