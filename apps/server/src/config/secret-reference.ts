import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * A secret as `openssl cmp -secret` takes it: `pass:TEXT`, `env:VAR` or `file:PATH` (its first
 * line; a relative path is relative to `cwd`).
 *
 * @throws Error saying what is wrong (never the secret).
 */
export async function readSecretReference(reference: string, cwd: string): Promise<string> {
  const colon = reference.indexOf(':');
  const kind = colon < 0 ? '' : reference.slice(0, colon);
  const value = reference.slice(colon + 1);
  switch (kind) {
    case 'pass':
      return value;
    case 'env': {
      const text = process.env[value];
      if (text === undefined) throw new Error(`environment variable ${value} is not set`);
      return text;
    }
    case 'file': {
      const path = resolve(cwd, value);
      try {
        return (await readFile(path, 'utf8')).split(/\r?\n/)[0] ?? '';
      } catch (cause) {
        throw new Error(`cannot read ${path}: ${(cause as Error).message}`, { cause });
      }
    }
    default:
      throw new Error('a secret must be pass:TEXT, env:VAR or file:PATH');
  }
}
