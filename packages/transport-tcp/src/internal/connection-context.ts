import type { PushChannel } from '@cmpkit/core';
import type { TcpRequestContext } from '../tcp-server-types.js';

/**
 * What the handler gets with every request of one connection. A server keeps one per idle
 * connection, so it is a class (every context shares one shape, no closure per connection),
 * and its abort signal is made at its first read: it aborts when the connection closes.
 */
export class ConnectionContext implements TcpRequestContext {
  readonly remoteAddress: string;
  readonly connectionId: string;
  readonly push: PushChannel;
  declare readonly tlsPeerCertificate?: Uint8Array;
  #abort: AbortController | undefined;
  /** Set once the connection has closed: makes the reason the signal aborts with. */
  #closedError: (() => Error) | undefined;

  constructor(remoteAddress: string, connectionId: string, push: PushChannel, tlsPeerCertificate: Uint8Array | undefined) {
    this.remoteAddress = remoteAddress;
    this.connectionId = connectionId;
    this.push = push;
    if (tlsPeerCertificate) (this as { tlsPeerCertificate?: Uint8Array }).tlsPeerCertificate = tlsPeerCertificate;
  }

  get signal(): AbortSignal {
    if (!this.#abort) {
      this.#abort = new AbortController();
      if (this.#closedError) this.#abort.abort(this.#closedError());
    }
    return this.#abort.signal;
  }

  /** The connection has closed: the signal aborts with what `closedError` makes (now, or at its first read). */
  connectionClosed(closedError: () => Error): void {
    this.#closedError = closedError;
    this.#abort?.abort(closedError());
  }
}
