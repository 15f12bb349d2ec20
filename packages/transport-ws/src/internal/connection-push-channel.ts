import type { PushChannel } from '@cmpkit/core';
import type { WsServerConnection } from '../ws-server-types.js';

/** The push channel of one connection: an announcer keeps it for as long as the connection lives, so it holds no closure. */
export class ConnectionPushChannel implements PushChannel {
  readonly #connection: WsServerConnection;

  constructor(connection: WsServerConnection) {
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
