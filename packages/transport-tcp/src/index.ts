/**
 * @packageDocumentation
 * `@cmpkit/transport-tcp`: CMP over TCP with the length-prefixed framing of
 * draft-ietf-pkix-cmp-tcp-00 (version 10) and RFC 2510 section 5.2. The client is a `Transport`
 * that keeps connections open for later requests, follows TCP-level polling and receives pushed
 * announcements; the server adapts a `CmpHandler` to `node:net`, accepts both framings and lets
 * the application push announcements to a connected client. It moves bytes only: it never
 * decodes CMP, never retries and never maps errors to PKIStatus. Node only (`node:net`).
 *
 * The framing is specified in docs/transport-tcp.md.
 *
 * @example
 * ```ts
 * import { createTcpServer, tcpTransport } from '@cmpkit/transport-tcp';
 *
 * // server: a CMP handler on 127.0.0.1:1829
 * const server = createTcpServer({ handle: cmpServer.handle });
 * await server.listen(1829, '127.0.0.1');
 *
 * // client
 * const transport = tcpTransport({ host: '127.0.0.1', port: 1829, onPush: (announcement) => {} });
 * const answer = await transport.send(requestDer);
 * await transport.close();
 * await server.close();
 * ```
 */
export { CMP_TCP_PORT, tcpTransport } from './tcp-transport.js';
export type { TcpReconnectOptions, TcpTransport, TcpTransportInit } from './tcp-transport.js';
export { createTcpServer } from './tcp-server.js';
export type { TcpServerInit } from './tcp-server.js';
export type { TcpCmpHandler, TcpRequestContext, TcpServer, TcpServerConnection } from './tcp-server-types.js';
export { TcpErrorCode } from './framing.js';
export type { TcpFraming } from './framing.js';
export { TcpTransportError } from './tcp-transport-error.js';
