import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node:http server on 127.0.0.1 with an ephemeral port. */
export interface Listening {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string;
  close(): Promise<void>;
}

export async function listen(listener: RequestListener, server: Server = createServer()): Promise<Listening> {
  server.on('request', listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: (path = '/.well-known/cmp') => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
