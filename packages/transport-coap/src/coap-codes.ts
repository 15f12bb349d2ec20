/**
 * CoAP codes used by the CMP transfer (RFC 7252 section 12.1, RFC 8323 section 11.1), as the
 * single octet `class << 5 | detail`. `codeText(code)` prints one as `c.dd`.
 */
export const CoapCode = {
  empty: 0x00,
  get: 0x01,
  post: 0x02,
  put: 0x03,
  delete: 0x04,
  fetch: 0x05,
  patch: 0x06,
  iPatch: 0x07,
  /** 2.03 Valid: the answer to an Observe registration for announcements (RFC 9482 section 2.5). */
  valid: 0x43,
  /** 2.04 Changed: the answer to a CMP POST, carrying the DER response (RFC 9482 section 2.3). */
  changed: 0x44,
  /** 2.05 Content: announcement notifications and block-wise notification retrieval. */
  content: 0x45,
  /** 2.31 Continue: an intermediate block of a request body was taken (RFC 7959). */
  continue: 0x5f,
  badRequest: 0x80,
  badOption: 0x82,
  notFound: 0x84,
  methodNotAllowed: 0x85,
  notAcceptable: 0x86,
  /** 4.08 Request Entity Incomplete: a block out of order, or one of a body the server does not hold (RFC 7959). */
  requestEntityIncomplete: 0x88,
  /** 4.13 Request Entity Too Large, with Size1 giving the limit. */
  requestEntityTooLarge: 0x8d,
  /** 4.15 Unsupported Content-Format. */
  unsupportedContentFormat: 0x8f,
  internalServerError: 0xa0,
  serviceUnavailable: 0xa3,
  /** 5.05 Proxying Not Supported. */
  proxyingNotSupported: 0xa5,
  /** 7.01 Capabilities and Settings Message (RFC 8323 section 5.3). */
  csm: 0xe1,
  ping: 0xe2,
  pong: 0xe3,
  release: 0xe4,
  abort: 0xe5,
} as const;

/** `c.dd`, as CoAP codes are written (e.g. `4.13`). */
export function codeText(code: number): string {
  return `${code >> 5}.${String(code & 0x1f).padStart(2, '0')}`;
}
