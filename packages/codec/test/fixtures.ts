import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's fixtures/ folder. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

/** The bytes of a fixture file, by path relative to fixtures/. */
export function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, path)));
}

/** Every `.der` file of a fixture folder, as [name, bytes]. */
export function fixtureDir(path: string): [string, Uint8Array][] {
  return readdirSync(join(FIXTURES, path))
    .filter((f) => f.endsWith('.der'))
    .sort()
    .map((f) => [f, fixture(join(path, f))]);
}
