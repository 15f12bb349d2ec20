import { reliableFrameSize } from './message.js';

/** Thrown when a frame announces more octets than the limit; nothing of it has been buffered. */
export class FrameTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`coap: a frame of ${size} octets`);
  }
}

/**
 * Cuts a TCP byte stream into CoAP frames (RFC 8323 section 3.2). The size of a frame is known
 * from its first one to five octets; one larger than `maxFrameBytes` throws
 * {@link FrameTooLargeError} before any of its body is kept.
 */
export class TcpFrameReader {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;

  constructor(readonly maxFrameBytes: number) {}

  push(chunk: Uint8Array): Uint8Array[] {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    const frames: Uint8Array[] = [];
    for (;;) {
      const head = this.#peek(Math.min(this.#pendingBytes, 5));
      const size = reliableFrameSize(head); // throws CoapFormatError on a reserved token length
      if (size === undefined) return frames;
      if (size.total > this.maxFrameBytes) throw new FrameTooLargeError(size.total);
      if (this.#pendingBytes < size.total) return frames;
      frames.push(this.#take(size.total));
    }
  }

  #peek(length: number): Uint8Array {
    const first = this.#pending[0];
    if (first !== undefined && first.byteLength >= length) return first.subarray(0, length);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.#pending) {
      if (offset >= length) break;
      const part = chunk.subarray(0, length - offset);
      out.set(part, offset);
      offset += part.byteLength;
    }
    return out;
  }

  #take(length: number): Uint8Array {
    const first = this.#pending[0]!;
    if (first.byteLength >= length) {
      const frame = first.subarray(0, length);
      if (first.byteLength === length) this.#pending.shift();
      else this.#pending[0] = first.subarray(length);
      this.#pendingBytes -= length;
      return frame;
    }
    const out = new Uint8Array(length);
    let offset = 0;
    while (offset < length) {
      const chunk = this.#pending[0]!;
      const part = chunk.subarray(0, length - offset);
      out.set(part, offset);
      offset += part.byteLength;
      if (part.byteLength === chunk.byteLength) this.#pending.shift();
      else this.#pending[0] = chunk.subarray(part.byteLength);
    }
    this.#pendingBytes -= length;
    return out;
  }
}
