import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

/**
 * Every valid PKIMessage vector under fixtures/der (all subfolders except `invalid/`, unless
 * `includeInvalid`), as [path relative to fixtures/der, bytes], sorted by path.
 */
export function allVectors(includeInvalid = false): [string, Uint8Array][] {
  const root = join(FIXTURES, 'der');
  const out: [string, Uint8Array][] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (includeInvalid || entry !== 'invalid') walk(full);
      } else if (entry.endsWith('.der')) {
        out.push([relative(root, full), new Uint8Array(readFileSync(full))]);
      }
    }
  };
  walk(root);
  return out;
}

/** The text of a PEM file under fixtures/ converted to DER (first block). */
export function pemFixture(path: string): Uint8Array {
  const text = readFileSync(join(FIXTURES, path), 'latin1');
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(text);
  if (!m?.[1]) throw new Error(`no PEM block in ${path}`);
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** Lower-case hex of bytes. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Byte equality as a boolean (for `expect(...).toBe(true)` with readable failure output use `hex`). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}
