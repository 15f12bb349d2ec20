import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliEnvironment } from '../cli-environment.js';
import { certificatesPem } from '../pki/pem.js';
import { runtimeOf, withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/**
 * `cmpkit-server ca certs [--out F] [--root-only]`: the CA chain as PEM (issuing CA, then root),
 * for clients' `-trusted`/`-untrusted` options.
 */
export async function ca(action: string | undefined, options: CommonOptions & { out?: string; 'root-only'?: boolean }, env: CliEnvironment): Promise<number> {
  if (action !== 'certs') throw new UsageError('ca needs certs');
  return withContext(options, env, async (ctx) => {
    const certs = options['root-only'] ? [ctx.material.root.certificate] : [ctx.material.issuing.certificate, ctx.material.root.certificate];
    const pem = certificatesPem(certs);
    if (options.out === undefined) {
      env.stdout(pem);
      return 0;
    }
    const path = resolve(runtimeOf(env).cwd, options.out);
    await writeFile(path, pem);
    env.stdout(`wrote ${certs.length} certificate${certs.length === 1 ? '' : 's'} to ${path}\n`);
    return 0;
  });
}
