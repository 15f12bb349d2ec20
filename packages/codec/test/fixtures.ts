import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DerError, decodeInfoTypeAndValue, encodeInfoTypeAndValue } from '../src/index.js';

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

/** The DER of the first PEM block of a fixture file (a certificate, a key, ...). */
export function pemFixture(path: string): Uint8Array {
  const text = readFileSync(join(FIXTURES, path), 'utf8');
  const body = /-----BEGIN [^-]+-----([\s\S]*?)-----END/.exec(text)?.[1];
  if (body === undefined) throw new Error(`no PEM block in ${path}`);
  return new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
}

/** Bytes from hex text (spaces allowed). */
export function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

/**
 * The deterministic filler bytes of fixtures/der/itav (see its README): a SHA-256 chain starting
 * from the UTF-8 label, truncated to `length` bytes.
 */
export function chainBytes(label: string, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 32) * 32);
  let block: Uint8Array = new TextEncoder().encode(label);
  for (let at = 0; at < length; at += 32) {
    block = new Uint8Array(createHash('sha256').update(block).digest());
    out.set(block, at);
  }
  return out.subarray(0, length);
}

/** Runs `fn`, which must throw a DerError; returns it. */
/**
 * Decodes an InfoTypeAndValue of a known infotype whose value does not match its syntax: it must
 * decode as `'invalid'` and re-encode to the same bytes. Returns the DerError its typed decoding gave.
 */
export function invalidItavErrorOf(der: Uint8Array): DerError {
  const itav = decodeInfoTypeAndValue(der);
  if (itav.type !== 'invalid') throw new Error(`expected an 'invalid' InfoTypeAndValue, got '${itav.type}'`);
  const again = encodeInfoTypeAndValue(itav);
  if (again.length !== der.length || again.some((b, i) => b !== der[i]))
    throw new Error('the invalid InfoTypeAndValue does not re-encode to its input');
  return itav.error;
}

export function derErrorOf(fn: () => unknown): DerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DerError) return error;
    throw new Error(`expected a DerError, got ${String(error)}`);
  }
  throw new Error('expected a DerError, but nothing was thrown');
}

/**
 * Every valid PKIMessage vector under fixtures/der (all subfolders except `invalid/`, unless
 * `includeInvalid`, and `itav/`, which holds standalone InfoTypeAndValue values), as [path relative to fixtures/der, bytes], sorted by path.
 */
export function allVectors(includeInvalid = false): [string, Uint8Array][] {
  const root = join(FIXTURES, 'der');
  const out: [string, Uint8Array][] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) {
        if ((includeInvalid || entry !== 'invalid') && entry !== 'itav') walk(full);
      } else if (entry.endsWith('.der')) {
        out.push([relative(root, full), new Uint8Array(readFileSync(full))]);
      }
    }
  };
  walk(root);
  return out;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Byte equality as a boolean (for `expect(...).toBe(true)` with readable failure output use `toHex`). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}
