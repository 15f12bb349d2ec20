/**
 * @packageDocumentation
 * `@cmpkit/core`: transport-agnostic CMP state machines. Time, randomness, transports and stores
 * are passed in; the core does no I/O.
 */
export { loopbackTransport } from './loopback-transport.js';
export type { CmpHandler, RequestContext, Transport, TransportSendOptions } from './transport.js';
export { isTransportError, TransportError } from './transport-error.js';
