import type { PushChannel } from '@cmpkit/core';
import type { TcpServerConnection } from '../tcp-server-types.js';

/** The push channel of one connection: an announcer keeps it for as long as the connection lives, so it holds no closure. */
export class ConnectionPushChannel implements PushChannel {
  readonly #connection: TcpServerConnection;

  constructor(connection: TcpServerConnection) {
    this.#connection = connection;
  }

  get id(): string {
    return this.#connection.id;
  }

  get closed(): Promise<void> {
    return this.#connection.closed;
  }

  send(message: Uint8Array): Promise<void> {
    return this.#connection.push(message);
  }
}
