import type { TcpFraming } from '../framing.js';

/** The version octet of draft-ietf-pkix-cmp-tcp-00. RFC 2510 frames have a message type (0..6) there. */
export const TCP_VERSION = 10;

/**
 * Message types. Version 10 names; RFC 2510 uses the same numbers for pkiMsg (0), pollRep (1),
 * pollReq (2), negPollRep (3), partialMsgRep (4), finalMsgRep (5) and errorMsgRep (6).
 */
export const MessageType = {
  pkiReq: 0,
  pollRep: 1,
  pollReq: 2,
  finRep: 3,
  partialMsgRep: 4,
  pkiRep: 5,
  errorMsgRep: 6,
} as const;

/** Bit 0 of the flags octet: the sender closes the connection after this exchange. */
export const FLAG_CLOSE = 0x01;

/** Octets before the value: length, then version/flags/type (v10) or type (RFC 2510). */
export function headerSize(framing: TcpFraming): number {
  return framing === 'v10' ? 7 : 5;
}

/** The largest value a frame can carry (the length field is 32 bits). */
export const MAX_VALUE_BYTES = 0xffff_ffff - 3;

/** A decoded frame. */
export interface Frame {
  framing: TcpFraming;
  /** Always 0 for RFC 2510 frames, which have no flags. */
  flags: number;
  type: number;
  value: Uint8Array;
}

/** The bytes of one frame. */
export function encodeFrame(framing: TcpFraming, type: number, value: Uint8Array, flags = 0): Uint8Array {
  const header = headerSize(framing);
  const out = new Uint8Array(header + value.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, header - 4 + value.byteLength);
  if (framing === 'v10') {
    out[4] = TCP_VERSION;
    out[5] = flags & 0xff;
    out[6] = type;
  } else {
    out[4] = type;
  }
  out.set(value, header);
  return out;
}

/** The value of a `pollRep`: polling reference and time-to-check-back, 32 bits each. */
export function encodePollRep(reference: number, timeToCheckBack: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, reference >>> 0);
  view.setUint32(4, timeToCheckBack >>> 0);
  return out;
}

/** The value of a `pollReq`: the polling reference, 32 bits. */
export function encodePollReq(reference: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, reference >>> 0);
  return out;
}

/** A `pollRep` or `pollReq` value's 32-bit fields, or `undefined` when it is too short. */
export function readUint32(value: Uint8Array, offset: number): number | undefined {
  if (value.byteLength < offset + 4) return undefined;
  return new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(offset);
}

/**
 * The value of an `errorMsgRep`. Version 10: error code (2 octets), length of the error data
 * (2 octets), the data, then UTF-8 text to the end. RFC 2510: the text alone.
 */
export function encodeErrorMsgRep(framing: TcpFraming, errorCode: number, text: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const textBytes = new TextEncoder().encode(text);
  if (framing === 'rfc2510') return textBytes;
  const out = new Uint8Array(4 + data.byteLength + textBytes.byteLength);
  const view = new DataView(out.buffer);
  view.setUint16(0, errorCode);
  view.setUint16(2, data.byteLength);
  out.set(data, 4);
  out.set(textBytes, 4 + data.byteLength);
  return out;
}

/** A received `errorMsgRep`: its code (v10 only) and its text, cleaned for a message. */
export interface ErrorMsgRep {
  errorCode: number | undefined;
  text: string;
}

/** Reads an `errorMsgRep` value leniently: a v10 value too short for its fields is taken as text. */
export function decodeErrorMsgRep(framing: TcpFraming, value: Uint8Array): ErrorMsgRep {
  if (framing === 'v10' && value.byteLength >= 4) {
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const dataLength = view.getUint16(2);
    if (4 + dataLength <= value.byteLength) {
      return { errorCode: view.getUint16(0), text: cleanText(value.subarray(4 + dataLength)) };
    }
  }
  return { errorCode: undefined, text: cleanText(value) };
}

/** UTF-8 text with control characters replaced, at most 200 characters. */
function cleanText(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(bytes.subarray(0, 800))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
