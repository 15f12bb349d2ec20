import { readFile } from 'node:fs/promises';
import { CliError } from './cli-error.js';
import { FileError, fileProblem } from './files.js';

/**
 * Reads a secret given the way `openssl` takes passwords: `pass:TEXT`, `env:VAR`, `file:PATH`
 * (the first line of the file). `option` names where it came from in error messages.
 */
export async function readSecret(spec: string, option = '--secret', env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? '' : spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  switch (kind) {
    case 'pass':
      return rest;
    case 'env': {
      const value = env[rest];
      if (value === undefined) throw new CliError(`${option} env:${rest}: the environment variable ${rest} is not set`);
      return value;
    }
    case 'file': {
      let text: string;
      try {
        text = await readFile(rest, 'utf8');
      } catch (error) {
        throw new FileError(rest, `${option} file:${rest}: cannot read it: ${fileProblem(error)}`, { cause: error });
      }
      return text.split(/\r?\n/)[0] ?? '';
    }
    default:
      throw new CliError(`${option} '${spec}' must be pass:TEXT, env:VAR or file:PATH`);
  }
}
