import type { CliEnvironment } from '../cli-environment.js';
import { withoutPassword } from '@cmpkit/store-postgres';
import { configOf, type CommonOptions } from './command-context.js';

/** A `pkcs11:` URI's `pin-value` replaced, so the printed configuration holds no PIN. */
function hidePinValue(reference: string): string {
  return reference.replace(/([?&]pin-value=)[^&]*/i, '$1(hidden)');
}

/** `cmpkit-server config`: prints the effective configuration (defaults, file, options) as JSON. */
export async function showConfig(options: CommonOptions, env: CliEnvironment): Promise<number> {
  const config = await configOf(options, env);
  const shown = {
    ...config,
    database: withoutPassword(config.database),
    initialSecret: config.initialSecret ? { ...config.initialSecret, secret: '(hidden)' } : null,
    pkcs11: { ...config.pkcs11, pin: config.pkcs11.pin?.startsWith('pass:') ? 'pass:(hidden)' : config.pkcs11.pin },
    ca: { ...config.ca, key: hidePinValue(config.ca.key), cmpKey: hidePinValue(config.ca.cmpKey) },
  };
  env.stdout(`${JSON.stringify(shown, null, 2)}\n`);
  return 0;
}
