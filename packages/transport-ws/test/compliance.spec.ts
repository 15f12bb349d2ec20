import type { AddressInfo } from 'node:net';
import { transportCompliance } from '@cmpkit/test-utils';
import { WebSocketServer } from 'ws';
import { attachWsServer, createWsServer, wsTransport } from '../src/index.js';

transportCompliance('wsTransport and createWsServer', async (handler, { maxMessageBytes }) => {
  const server = await createWsServer({
    handle: handler,
    port: 0,
    host: '127.0.0.1',
    path: '/cmp',
    maxMessageBytes,
  });
  const transport = wsTransport({ url: `ws://127.0.0.1:${server.port}/cmp`, maxMessageBytes });
  return {
    transport,
    dropConnections: () => {
      for (const connection of server.connections.values()) connection.close(1001);
    },
    close: async () => {
      await transport.close();
      await server.close();
    },
  };
});

transportCompliance('wsTransport and attachWsServer on a WebSocketServer', async (handler, { maxMessageBytes }) => {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    maxPayload: maxMessageBytes + 5,
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const cmp = attachWsServer(wss, handler, { maxMessageBytes });
  const { port } = wss.address() as AddressInfo;
  const transport = wsTransport({ url: `ws://127.0.0.1:${port}`, maxMessageBytes });
  return {
    transport,
    dropConnections: () => {
      for (const client of wss.clients) client.terminate();
    },
    close: async () => {
      await transport.close();
      await cmp.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
});
