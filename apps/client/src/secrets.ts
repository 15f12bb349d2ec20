import { readFile } from 'node:fs/promises';

/**
 * Reads a secret given the way `openssl` takes passwords: `pass:TEXT`, `env:VAR`, `file:PATH`
 * (the first line of the file).
 */
export async function readSecret(spec: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? '' : spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  switch (kind) {
    case 'pass':
      return rest;
    case 'env': {
      const value = env[rest];
      if (value === undefined) throw new CliError(`environment variable ${rest} is not set`);
      return value;
    }
    case 'file': {
      const text = await readFile(rest, 'utf8');
      return text.split(/\r?\n/)[0] ?? '';
    }
    default:
      throw new CliError(`secret '${spec}' must be pass:TEXT, env:VAR or file:PATH`);
  }
}

/** An error in what the user asked for; printed as one line, exit status 2. */
export class CliError extends Error {
  override name = 'CliError';
}
