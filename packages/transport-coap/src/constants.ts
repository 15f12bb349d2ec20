/** The CoAP Content-Format of application/pkixcmp (RFC 9482 section 2.4, IANA CoAP Content-Formats). */
export const CONTENT_FORMAT_PKIXCMP = 259;
/** The default port of `coap://` and `coap+tcp://` (RFC 7252 section 6.1, RFC 8323 section 8.2). */
export const COAP_PORT = 5683;
/** The CMP resource (RFC 9482 section 2.1, RFC 8615): `/.well-known/cmp`, and `/p/<label>` below it. */
export const CMP_WELL_KNOWN_PATH = '/.well-known/cmp';
/** The last path segment under which an end entity observes announcements (RFC 9482 section 2.5). */
export const ANNOUNCEMENT_SEGMENT = 'ann';
/** The Resource Type of CMP endpoints in CoRE link format discovery (RFC 9482 section 2.2). */
export const CMP_RESOURCE_TYPE = 'ace.cmp';
/** The WebSocket path and subprotocol of CoAP over WebSocket (RFC 8323 sections 4.1 and 8.4). */
export const COAP_WS_PATH = '/.well-known/coap';
/** The WebSocket subprotocol of CoAP (RFC 8323 section 4.1). */
export const COAP_WS_SUBPROTOCOL = 'coap';
