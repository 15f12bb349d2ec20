import type { CliEnvironment } from '../cli-environment.js';
import { withoutPassword } from '@cmpkit/store-postgres';
import { configOf, type CommonOptions } from './command-context.js';

/** `cmpkit-server config`: prints the effective configuration (defaults, file, options) as JSON. */
export async function showConfig(options: CommonOptions, env: CliEnvironment): Promise<number> {
  const config = await configOf(options, env);
  const shown = {
    ...config,
    database: withoutPassword(config.database),
    initialSecret: config.initialSecret ? { ...config.initialSecret, secret: '(hidden)' } : null,
  };
  env.stdout(`${JSON.stringify(shown, null, 2)}\n`);
  return 0;
}
