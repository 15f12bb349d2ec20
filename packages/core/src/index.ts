/**
 * @packageDocumentation
 * `@cmpkit/core`: transport-agnostic CMP state machines. Time, randomness, transports and stores
 * are passed in; the core does no I/O.
 */
export { loopbackTransport } from './loopback-transport.js';
export type { CmpHandler, RequestContext, Transport, TransportSendOptions } from './transport.js';
export { isTransportError, TransportError } from './transport-error.js';

// Server: the interfaces the application implements.
export type { Authorizer } from './server/authorizer.js';
export type {
  CertificationRequest,
  CertificationResult,
  Issuer,
  RevocationRequest,
} from './server/issuer.js';
export type { Requester } from './server/requester.js';
export type { NonceStore, SecretStore, TransactionRecord, TransactionStore } from './server/stores.js';
export { ProtocolError } from './errors/protocol-error.js';
export { RemoteError } from './errors/remote-error.js';
export type { RemoteErrorInit } from './errors/remote-error.js';
export { RequestRejectedError } from './errors/request-rejected-error.js';
