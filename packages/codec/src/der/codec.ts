import { DerReader, type DecodeOptions } from './reader.js';
import { DerWriter } from './writer.js';

/** Decodes `der` as exactly one value read by `read`; trailing bytes are an error. */
export function decodeWith<T>(der: Uint8Array, rootName: string, read: (r: DerReader, field: string) => T, options?: DecodeOptions): T {
  const r = DerReader.root(der, rootName, options);
  const value = read(r, '');
  r.finish();
  return value;
}

/** Encodes `value` with `write` and returns the DER. */
export function encodeWith<T>(value: T, write: (w: DerWriter, value: T) => void, capacity = 256): Uint8Array {
  const w = new DerWriter(capacity);
  write(w, value);
  return w.finish();
}
