import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A loopback TCP proxy in front of a server, whose faults a test switches on and off. */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** From now on every connection is reset at once, and the open ones are cut: the server is unreachable. */
  cut(): void;
  /** Connections pass again. */
  restore(): void;
  /**
   * The next `count` connections carry the request to the server, but its answer is dropped and
   * the connection closed: the server did the work, the client never hears of it.
   */
  dropAnswers(count: number): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (a free port) that forwards each connection to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let dropping = 0;
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const drop = dropping > 0;
    if (drop) dropping--;
    const upstream = connect(target);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    if (drop) {
      upstream.once('data', () => {
        client.destroy();
        upstream.destroy();
      });
    } else {
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
    dropAnswers(count) {
      dropping = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
