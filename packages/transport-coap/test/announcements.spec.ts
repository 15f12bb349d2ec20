// Announcements end to end over real CoAP sessions on 127.0.0.1 (the shared suite of
// @cmpkit/test-utils): the client observes <base>/ann (RFC 7641, RFC 9482 section 2.5), the
// server's `context.push` notifies it, and `onPush` feeds `client.receivePush`. Announcements of
// a few KiB (ckuann with its certificates) go out block-wise over UDP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announcementDelivery } from '@cmpkit/test-utils';
import { coapTransport, createCoapServer } from '../src/index.js';

announcementDelivery('createCoapServer and coapTransport over UDP', async (handler) => {
  const server = createCoapServer({ handle: handler, blockSize: 256 });
  const { port } = await server.listenUdp(0, '127.0.0.1');
  return {
    connect: (onPush) => coapTransport({ url: `coap://127.0.0.1:${port}`, onPush, blockSize: 256 }),
    close: () => server.close(),
  };
});

announcementDelivery('createCoapServer and coapTransport over TCP', async (handler) => {
  const server = createCoapServer({ handle: handler });
  const { port } = await server.listenTcp(0, '127.0.0.1');
  return {
    connect: (onPush) => coapTransport({ url: `coap+tcp://127.0.0.1:${port}`, onPush }),
    close: () => server.close(),
  };
});

announcementDelivery('createCoapServer and coapTransport over WebSocket', async (handler) => {
  const server = createCoapServer({ handle: handler });
  const http = createServer((_request, response) => response.writeHead(404).end());
  server.attachWebSocket(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    connect: (onPush) => coapTransport({ url: `coap+ws://127.0.0.1:${port}`, onPush }),
    close: async () => {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
});
