// Column values as the two drivers return them: better-sqlite3 gives INTEGER as a bigint (the
// SQLite connection reads safe integers) and BLOB as a Buffer; pg gives BIGINT as text, INTEGER
// as a number and BYTEA as a Buffer. The repositories read every column through these.

/** An integer column (milliseconds, counts, ids) as a number. */
export function numberOf(value: unknown): number {
  return Number(value);
}

/** An integer column that may exceed 2^53 (cRLNumber) as a bigint. */
export function bigintOf(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt(value as string | number);
}

/** A millisecond column as a Date. */
export function dateOf(value: unknown): Date {
  return new Date(Number(value));
}

/** A BLOB or BYTEA column as a plain Uint8Array of its own (not a view into a driver's buffer). */
export function bytesOf(value: unknown): Uint8Array {
  const bytes = value as Uint8Array;
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** `{ [key]: read(value) }` when the column holds a value, `{}` for NULL: optional properties stay absent. */
export function optional<K extends string, T>(key: K, value: unknown, read: (value: unknown) => T): { [P in K]?: T } {
  return (value === null || value === undefined ? {} : { [key]: read(value) }) as { [P in K]?: T };
}
