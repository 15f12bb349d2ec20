/**
 * The two framings of CMP over TCP:
 *
 * - `'v10'`: draft-ietf-pkix-cmp-tcp-00, `length(4) | version(1) = 10 | flags(1) | type(1) | value`;
 * - `'rfc2510'`: RFC 2510 section 5.2, `length(4) | type(1) | value`.
 *
 * `length` counts the octets after itself. See docs/transport-tcp.md.
 */
export type TcpFraming = 'v10' | 'rfc2510';

/**
 * The error codes cmpkit puts in the `errorMsgRep` frames it sends (version 10 framing, the
 * first two octets of the value). Codes a peer sends are reported in
 * `TcpTransportError.errorCode` as they came, without interpretation.
 */
export const TcpErrorCode = {
  /** The version octet is neither 10 nor an RFC 2510 message type (data: the octet 10). */
  unsupportedVersion: 0x0100,
  /** The frame is malformed, of a type the receiver does not accept there, or carries no message. */
  badRequest: 0x0200,
  /** The announced length is over the receiver's limit (data: the limit, 4 octets). */
  tooLarge: 0x0201,
  /** A `pollReq` names a polling reference the server does not know on this connection. */
  unknownPollReference: 0x0202,
  /** A frame did not arrive completely within the read timeout. */
  readTimeout: 0x0203,
  /** The server could not produce an answer (its handler failed). */
  internalError: 0x0300,
  /**
   * The server takes no new connection now (too many at once); the client should connect again
   * later (data: the seconds to wait, 4 octets). The connection is closed.
   */
  busy: 0x0301,
} as const;

/** One of the {@link TcpErrorCode} values. */
export type TcpErrorCode = (typeof TcpErrorCode)[keyof typeof TcpErrorCode];
