/**
 * @packageDocumentation
 * `@cmpkit/transport-coap`: CMP over CoAP (RFC 9482) for constrained devices. A client
 * `Transport` and a server for `coap://` (UDP, RFC 7252, with retransmission, deduplication and
 * block-wise transfer, RFC 7959), `coap+tcp://` and `coap+ws://` (RFC 8323: framing, CSM,
 * Ping/Pong, BERT). Each CMP message is a confirmable POST with Content-Format 259
 * (application/pkixcmp) to `/.well-known/cmp` (or `/.well-known/cmp/p/<label>`), answered 2.04
 * with the DER answer. Announcements (ckuann, cann, rann, crlann) reach an end entity that
 * observes `/.well-known/cmp/ann` (RFC 7641). It moves bytes only: it never decodes CMP, never
 * retries at the CMP level and never maps errors to PKIStatus. No DTLS or TLS: CMP messages carry
 * their own protection (see docs/transport-coap.md).
 *
 * @example
 * ```ts
 * import { coapTransport, createCoapServer } from '@cmpkit/transport-coap';
 *
 * // server: one CMP resource on UDP and TCP
 * const server = createCoapServer({ handle: cmpServer.handle });
 * const { port } = await server.listenUdp(5683, '127.0.0.1');
 * await server.listenTcp(5683, '127.0.0.1');
 *
 * // client
 * const transport = coapTransport({ url: `coap://127.0.0.1:${port}/.well-known/cmp` });
 * const answer = await transport.send(requestDer);
 * await transport.close();
 * await server.close();
 * ```
 */
export { coapTransport } from './coap-transport.js';
export type { CoapTransport, CoapTransportInit } from './coap-transport.js';
export { createCoapServer } from './coap-server.js';
export type { CoapListenAddress, CoapServer, CoapServerInit } from './coap-server.js';
export type { CoapCarrier, CoapCmpHandler, CoapRequestContext, CoapServerOptions, CoapServerSession } from './coap-server-types.js';
export { CoapTransportError } from './coap-transport-error.js';
export { CoapCode, codeText } from './coap-codes.js';
export {
  ANNOUNCEMENT_SEGMENT,
  CMP_RESOURCE_TYPE,
  CMP_WELL_KNOWN_PATH,
  COAP_PORT,
  COAP_WS_PATH,
  COAP_WS_SUBPROTOCOL,
  CONTENT_FORMAT_PKIXCMP,
} from './constants.js';
export type { TransmissionParameters } from './internal/transmission.js';
