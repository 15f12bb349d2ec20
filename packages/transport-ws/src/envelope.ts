/** The WebSocket subprotocol of CMP over WebSocket as cmpkit defines it (docs/transport-ws.md). */
export const WS_SUBPROTOCOL = 'cmp';

/**
 * The first octet of every message of the `cmp` subprotocol. After it come a 4-octet big-endian
 * id and the payload: the DER of one PKIMessage, or UTF-8 text for `error`.
 */
export const WsEnvelopeKind = {
  /** Client to server: a PKIMessage to answer; the id is the client's, unique among its requests in flight. */
  request: 0x01,
  /** Server to client: the answer to the request with the same id. */
  response: 0x02,
  /** Server to client: a PKIMessage nobody asked for (an announcement); the id is a server sequence number. */
  push: 0x03,
  /** Server to client: the request with the same id got no PKIMessage; the payload is UTF-8 text. */
  error: 0x04,
} as const;

/** One of the {@link WsEnvelopeKind} values. */
export type WsEnvelopeKind = (typeof WsEnvelopeKind)[keyof typeof WsEnvelopeKind];
