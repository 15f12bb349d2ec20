/** Octets before the payload: kind (1) and id (4). */
export const ENVELOPE_HEADER_BYTES = 5;

/** The largest id; ids are unsigned 32-bit integers. */
export const MAX_ID = 0xffff_ffff;

/** A decoded message of the `cmp` subprotocol. */
export interface Envelope {
  kind: number;
  id: number;
  payload: Uint8Array;
}

export function encodeEnvelope(kind: number, id: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_HEADER_BYTES + payload.byteLength);
  out[0] = kind;
  new DataView(out.buffer).setUint32(1, id >>> 0);
  out.set(payload, ENVELOPE_HEADER_BYTES);
  return out;
}

/** The envelope in `bytes`, or `undefined` when it is shorter than its header. */
export function decodeEnvelope(bytes: Uint8Array): Envelope | undefined {
  if (bytes.byteLength < ENVELOPE_HEADER_BYTES) return undefined;
  return {
    kind: bytes[0]!,
    id: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1),
    payload: bytes.subarray(ENVELOPE_HEADER_BYTES),
  };
}

/** The text of an `error` envelope, control characters replaced, at most 200 characters. */
export function errorText(payload: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(payload.subarray(0, 800))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** WebSocket close codes used by the subprotocol (RFC 6455 section 7.4.1). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  abnormal: 1006,
  policyViolation: 1008,
  messageTooBig: 1009,
  /** The server is overloaded; the client should reconnect later (IANA WebSocket close code registry). */
  tryAgainLater: 1013,
} as const;
