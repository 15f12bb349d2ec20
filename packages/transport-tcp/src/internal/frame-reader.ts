import type { TcpFraming } from '../framing.js';
import { type Frame, TCP_VERSION } from './frame.js';

/** Why the byte stream can no longer be read as frames. */
export type FramingFault =
  { kind: 'tooLarge'; announced: number } | { kind: 'badVersion'; octet: number } | { kind: 'badLength'; announced: number };

/** What {@link FrameReader.push} found: complete frames, then possibly a fault that ends the stream. */
export interface ReadResult {
  frames: Frame[];
  fault?: FramingFault;
}

/** The highest RFC 2510 message type (errorMsgRep). A larger octet after the length is not RFC 2510. */
const RFC2510_MAX_TYPE = 6;

/**
 * Cuts a TCP byte stream into frames, whatever the chunking (one byte at a time works). The
 * framing is decided per frame by the octet after the length: 10 is version 10, 0..6 is an RFC
 * 2510 message type, anything else is a fault.
 *
 * The announced length is checked against `maxValueBytes` as soon as its four octets are in,
 * before any octet of the value is kept. After a fault the reader accepts nothing more.
 */
export class FrameReader {
  readonly #maxValueBytes: number;
  /** Header octets collected so far (at most 7). */
  readonly #header = new Uint8Array(7);
  #headerLength = 0;
  #framing: TcpFraming | undefined;
  #value: Uint8Array | undefined;
  #valueLength = 0;
  #failed = false;

  constructor(maxValueBytes: number) {
    this.#maxValueBytes = maxValueBytes;
  }

  /** True while a frame has started but is not complete. */
  get pending(): boolean {
    return this.#headerLength > 0;
  }

  push(chunk: Uint8Array): ReadResult {
    const frames: Frame[] = [];
    if (this.#failed) return { frames };
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (this.#value === undefined) {
        const fault = this.#readHeaderOctet(chunk[offset]!);
        offset++;
        if (fault !== undefined) {
          this.#failed = true;
          return { frames, fault };
        }
      } else {
        const take = Math.min(chunk.byteLength - offset, this.#value.byteLength - this.#valueLength);
        this.#value.set(chunk.subarray(offset, offset + take), this.#valueLength);
        this.#valueLength += take;
        offset += take;
      }
      if (this.#value !== undefined && this.#valueLength === this.#value.byteLength) frames.push(this.#finish());
    }
    return { frames };
  }

  /** Takes one header octet; starts the value once the header is complete. */
  #readHeaderOctet(octet: number): FramingFault | undefined {
    this.#header[this.#headerLength++] = octet;
    const announced = () => new DataView(this.#header.buffer).getUint32(0);
    if (this.#headerLength === 4) {
      // The smallest header after the length is 1 octet (RFC 2510), the largest 3 (v10).
      if (announced() > this.#maxValueBytes + 3) return { kind: 'tooLarge', announced: announced() };
      return undefined;
    }
    if (this.#headerLength === 5) {
      if (octet === TCP_VERSION) {
        this.#framing = 'v10';
        if (announced() < 3) return { kind: 'badLength', announced: announced() };
        if (announced() - 3 > this.#maxValueBytes) return { kind: 'tooLarge', announced: announced() };
        return undefined;
      }
      if (octet > RFC2510_MAX_TYPE) return { kind: 'badVersion', octet };
      this.#framing = 'rfc2510';
      if (announced() < 1) return { kind: 'badLength', announced: announced() };
      if (announced() - 1 > this.#maxValueBytes) return { kind: 'tooLarge', announced: announced() };
      this.#startValue(announced() - 1);
      return undefined;
    }
    if (this.#headerLength === 7) this.#startValue(announced() - 3);
    return undefined;
  }

  #startValue(length: number): void {
    this.#value = new Uint8Array(length);
    this.#valueLength = 0;
  }

  #finish(): Frame {
    const framing = this.#framing!;
    const frame: Frame =
      framing === 'v10'
        ? { framing, flags: this.#header[5]!, type: this.#header[6]!, value: this.#value! }
        : { framing, flags: 0, type: this.#header[4]!, value: this.#value! };
    this.#headerLength = 0;
    this.#framing = undefined;
    this.#value = undefined;
    this.#valueLength = 0;
    return frame;
  }
}
