import { CoapFormatError } from '../coap-format-error.js';
import type { CoapOption } from './options.js';

/** Message types of CoAP over UDP (RFC 7252 section 3). */
export const MessageType = { con: 0, non: 1, ack: 2, rst: 3 } as const;

/** A CoAP message. `type` and `messageId` exist on UDP only; the reliable transports ignore them. */
export interface CoapMessage {
  type: number;
  code: number;
  messageId: number;
  token: Uint8Array;
  /** Sorted by number (the encoder sorts stably; repeated options keep their order). */
  options: CoapOption[];
  payload: Uint8Array;
}

const PAYLOAD_MARKER = 0xff;
const EMPTY = new Uint8Array(0);

/** The options and payload part, shared by every framing (RFC 7252 section 3.1). */
export function encodeOptionsAndPayload(options: readonly CoapOption[], payload: Uint8Array): Uint8Array {
  const sorted = [...options].sort((a, b) => a.number - b.number);
  const parts: number[] = [];
  let previous = 0;
  let size = 0;
  const headers: Uint8Array[] = [];
  for (const option of sorted) {
    const delta = option.number - previous;
    previous = option.number;
    const length = option.value.byteLength;
    parts.length = 0;
    const [deltaNibble, deltaExt] = nibble(delta);
    const [lengthNibble, lengthExt] = nibble(length);
    parts.push((deltaNibble << 4) | lengthNibble, ...deltaExt, ...lengthExt);
    const header = new Uint8Array(parts);
    headers.push(header, option.value);
    size += header.byteLength + length;
  }
  if (payload.byteLength > 0) size += 1 + payload.byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of headers) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  if (payload.byteLength > 0) {
    out[offset++] = PAYLOAD_MARKER;
    out.set(payload, offset);
  }
  return out;
}

function nibble(value: number): [number, number[]] {
  if (value < 13) return [value, []];
  if (value < 269) return [13, [value - 13]];
  if (value < 65805) return [14, [(value - 269) >> 8, (value - 269) & 0xff]];
  throw new RangeError(`coap: option delta or length too large: ${value}`);
}

/** Decodes options and payload from `bytes[offset..]`; throws {@link CoapFormatError}. */
export function decodeOptionsAndPayload(bytes: Uint8Array, offset: number): { options: CoapOption[]; payload: Uint8Array } {
  const options: CoapOption[] = [];
  let number = 0;
  let i = offset;
  while (i < bytes.byteLength) {
    const first = bytes[i++]!;
    if (first === PAYLOAD_MARKER) {
      if (i === bytes.byteLength) throw new CoapFormatError('payload marker followed by no payload');
      return { options, payload: bytes.subarray(i) };
    }
    let delta = first >> 4;
    let length = first & 0x0f;
    if (delta === 15 || length === 15) throw new CoapFormatError(`reserved option nibble 15 at offset ${i - 1}`);
    [delta, i] = extended(bytes, delta, i);
    [length, i] = extended(bytes, length, i);
    number += delta;
    if (i + length > bytes.byteLength) throw new CoapFormatError(`option ${number} runs past the end of the message`);
    options.push({ number, value: bytes.subarray(i, i + length) });
    i += length;
  }
  return { options, payload: EMPTY };
}

function extended(bytes: Uint8Array, value: number, i: number): [number, number] {
  if (value === 13) {
    if (i >= bytes.byteLength) throw new CoapFormatError('truncated option header');
    return [bytes[i]! + 13, i + 1];
  }
  if (value === 14) {
    if (i + 1 >= bytes.byteLength) throw new CoapFormatError('truncated option header');
    return [((bytes[i]! << 8) | bytes[i + 1]!) + 269, i + 2];
  }
  return [value, i];
}

/** One UDP datagram (RFC 7252 section 3). */
export function encodeUdpMessage(message: CoapMessage): Uint8Array {
  const rest = encodeOptionsAndPayload(message.options, message.payload);
  const tkl = message.token.byteLength;
  const out = new Uint8Array(4 + tkl + rest.byteLength);
  out[0] = 0x40 | (message.type << 4) | tkl;
  out[1] = message.code;
  out[2] = message.messageId >> 8;
  out[3] = message.messageId & 0xff;
  out.set(message.token, 4);
  out.set(rest, 4 + tkl);
  return out;
}

/** Decodes a UDP datagram; throws {@link CoapFormatError} (version other than 1, TKL 9..15, truncation). */
export function decodeUdpMessage(bytes: Uint8Array): CoapMessage {
  if (bytes.byteLength < 4) throw new CoapFormatError('a datagram shorter than the 4-octet header');
  const version = bytes[0]! >> 6;
  if (version !== 1) throw new CoapFormatError(`version ${version}, not 1`);
  const tkl = bytes[0]! & 0x0f;
  if (tkl > 8) throw new CoapFormatError(`token length ${tkl} is reserved`);
  if (bytes.byteLength < 4 + tkl) throw new CoapFormatError('truncated token');
  const code = bytes[1]!;
  const { options, payload } = code === 0 ? { options: [], payload: EMPTY } : decodeOptionsAndPayload(bytes, 4 + tkl);
  if (code === 0 && (tkl !== 0 || bytes.byteLength !== 4)) throw new CoapFormatError('an empty message must be 4 octets');
  return {
    type: (bytes[0]! >> 4) & 3,
    code,
    messageId: (bytes[2]! << 8) | bytes[3]!,
    token: bytes.subarray(4, 4 + tkl),
    options,
    payload,
  };
}

/**
 * One message of CoAP over TCP (RFC 8323 section 3.2): Len/TKL, the extended length, code, token,
 * options and payload. Over WebSocket (section 4.2) the length is the WebSocket message's, so Len
 * is 0 and there is no extended length (`withLength: false`).
 */
export function encodeReliableMessage(
  message: Pick<CoapMessage, 'code' | 'token' | 'options' | 'payload'>,
  withLength: boolean,
): Uint8Array {
  const rest = encodeOptionsAndPayload(message.options, message.payload);
  const tkl = message.token.byteLength;
  const length = rest.byteLength;
  let lengthNibble = 0;
  let ext: number[] = [];
  if (withLength) {
    if (length < 13) lengthNibble = length;
    else if (length < 269) [lengthNibble, ext] = [13, [length - 13]];
    else if (length < 65805) [lengthNibble, ext] = [14, [(length - 269) >> 8, (length - 269) & 0xff]];
    else {
      const v = length - 65805;
      [lengthNibble, ext] = [15, [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]];
    }
  }
  const out = new Uint8Array(1 + ext.length + 1 + tkl + length);
  out[0] = (lengthNibble << 4) | tkl;
  out.set(ext, 1);
  out[1 + ext.length] = message.code;
  out.set(message.token, 2 + ext.length);
  out.set(rest, 2 + ext.length + tkl);
  return out;
}

/** Octets of the Len/TKL byte and the extended length that tell a TCP frame's size: 1, 2, 3 or 5. */
export function reliableHeaderLength(first: number): number {
  const nibble = first >> 4;
  return nibble < 13 ? 1 : nibble === 13 ? 2 : nibble === 14 ? 3 : 5;
}

/**
 * The size of the TCP frame starting at `bytes[0]`, header to payload, once its header octets are
 * in; undefined while they are not. Token length above 8 throws.
 */
export function reliableFrameSize(bytes: Uint8Array): { optionsLength: number; total: number } | undefined {
  if (bytes.byteLength < 1) return undefined;
  const first = bytes[0]!;
  const tkl = first & 0x0f;
  if (tkl > 8) throw new CoapFormatError(`token length ${tkl} is reserved`);
  const headerLength = reliableHeaderLength(first);
  if (bytes.byteLength < headerLength) return undefined;
  const nibble = first >> 4;
  let optionsLength: number;
  if (nibble < 13) optionsLength = nibble;
  else if (nibble === 13) optionsLength = bytes[1]! + 13;
  else if (nibble === 14) optionsLength = ((bytes[1]! << 8) | bytes[2]!) + 269;
  else optionsLength = ((bytes[1]! << 24) >>> 0) + (bytes[2]! << 16) + (bytes[3]! << 8) + bytes[4]! + 65805;
  return { optionsLength, total: headerLength + 1 + tkl + optionsLength };
}

/** Decodes one complete TCP frame (`withLength`) or WebSocket message. */
export function decodeReliableMessage(bytes: Uint8Array, withLength: boolean): CoapMessage {
  if (bytes.byteLength < 2) throw new CoapFormatError('a message shorter than 2 octets');
  const tkl = bytes[0]! & 0x0f;
  if (tkl > 8) throw new CoapFormatError(`token length ${tkl} is reserved`);
  let headerLength = 1;
  if (withLength) {
    const size = reliableFrameSize(bytes);
    if (size === undefined || size.total !== bytes.byteLength) throw new CoapFormatError('the frame length does not match');
    headerLength = reliableHeaderLength(bytes[0]!);
  } else if (bytes[0]! >> 4 !== 0) {
    throw new CoapFormatError('a WebSocket message must have Len 0');
  }
  const codeAt = headerLength;
  if (bytes.byteLength < codeAt + 1 + tkl) throw new CoapFormatError('truncated token');
  const { options, payload } = decodeOptionsAndPayload(bytes, codeAt + 1 + tkl);
  return {
    type: MessageType.con,
    code: bytes[codeAt]!,
    messageId: 0,
    token: bytes.subarray(codeAt + 1, codeAt + 1 + tkl),
    options,
    payload,
  };
}
