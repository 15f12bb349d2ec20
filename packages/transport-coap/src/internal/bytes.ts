/** Octet helpers the package shares. */

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

/** Lower-case hex, `''` for none: map keys of tokens and Request-Tags. */
export function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? '' : Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
