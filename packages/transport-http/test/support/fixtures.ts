import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's fixtures/ folder. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures');

/** The bytes of a fixture file, by path relative to fixtures/. */
export function fixture(path: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(join(FIXTURES, path)));
}

/** The text of a fixture file (PEM), by path relative to fixtures/. */
export function fixtureText(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}
