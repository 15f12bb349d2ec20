import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { transportCompliance } from '@cmpkit/test-utils';
import { coapTransport, createCoapServer } from '../src/index.js';

transportCompliance('coapTransport and createCoapServer over UDP (coap://)', async (handler, { maxMessageBytes }) => {
  const server = createCoapServer({ handle: handler, maxMessageBytes });
  const { port } = await server.listenUdp(0, '127.0.0.1');
  const transport = coapTransport({ url: `coap://127.0.0.1:${port}/.well-known/cmp`, maxMessageBytes });
  return {
    transport,
    dropConnections: () => {
      for (const session of server.sessions.values()) session.close();
    },
    close: async () => {
      await transport.close();
      await server.close();
    },
  };
});

transportCompliance('coapTransport and createCoapServer over TCP (coap+tcp://)', async (handler, { maxMessageBytes }) => {
  const server = createCoapServer({ handle: handler, maxMessageBytes });
  const { port } = await server.listenTcp(0, '127.0.0.1');
  const transport = coapTransport({ url: `coap+tcp://127.0.0.1:${port}/.well-known/cmp`, maxMessageBytes });
  return {
    transport,
    dropConnections: () => {
      for (const session of server.sessions.values()) session.close();
    },
    close: async () => {
      await transport.close();
      await server.close();
    },
  };
});

transportCompliance('coapTransport and createCoapServer over WebSocket (coap+ws://)', async (handler, { maxMessageBytes }) => {
  const server = createCoapServer({ handle: handler, maxMessageBytes });
  const http = createServer((_request, response) => response.writeHead(404).end());
  server.attachWebSocket(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const transport = coapTransport({ url: `coap+ws://127.0.0.1:${port}/.well-known/cmp`, maxMessageBytes });
  return {
    transport,
    dropConnections: () => {
      for (const session of server.sessions.values()) session.close();
    },
    close: async () => {
      await transport.close();
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
});
