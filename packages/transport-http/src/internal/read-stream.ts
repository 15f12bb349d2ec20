/**
 * Reads a byte stream to its end, but gives up (cancelling the stream) as soon as more than
 * `limit` bytes arrived: returns `undefined` then. The chunks are joined once, at the end.
 */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | undefined> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        reader.cancel().catch(ignore);
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concat(chunks, total);
}

/** Reads at most `max` bytes from the front of a stream, then cancels the rest. */
export async function readPrefix(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.subarray(0, max - total);
      chunks.push(part);
      total += part.byteLength;
    }
    reader.cancel().catch(ignore);
  } finally {
    reader.releaseLock();
  }
  return concat(chunks, total);
}

/** Joins chunks into one fresh `Uint8Array` of `total` bytes. */
export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function ignore(): void {}
