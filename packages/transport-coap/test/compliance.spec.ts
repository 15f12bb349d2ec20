import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { transportCompliance, type TransportUnderTest } from '@cmpkit/test-utils';
import { coapTransport, createCoapServer, type CoapServer } from '../src/index.js';

/** The client on `url`; dropping connections ends every server session (UDP: in-flight requests are answered 5.03). */
function underTest(
  server: CoapServer,
  url: string,
  maxMessageBytes: number,
  stop: () => Promise<void> = async () => {},
): TransportUnderTest {
  const transport = coapTransport({ url, maxMessageBytes });
  return {
    transport,
    dropConnections: () => {
      for (const session of server.sessions.values()) session.close();
    },
    close: async () => {
      await transport.close();
      await server.close();
      await stop();
    },
  };
}

transportCompliance('coapTransport and createCoapServer over UDP (coap://)', async (handler, { maxMessageBytes }) => {
  const server = createCoapServer({ handle: handler, maxMessageBytes });
  const { port } = await server.listenUdp(0, '127.0.0.1');
  return underTest(server, `coap://127.0.0.1:${port}/.well-known/cmp`, maxMessageBytes);
});

transportCompliance('coapTransport and createCoapServer over TCP (coap+tcp://)', async (handler, { maxMessageBytes }) => {
  const server = createCoapServer({ handle: handler, maxMessageBytes });
  const { port } = await server.listenTcp(0, '127.0.0.1');
  return underTest(server, `coap+tcp://127.0.0.1:${port}/.well-known/cmp`, maxMessageBytes);
});

transportCompliance('coapTransport and createCoapServer over WebSocket (coap+ws://)', async (handler, { maxMessageBytes }) => {
  const server = createCoapServer({ handle: handler, maxMessageBytes });
  const http = createServer((_request, response) => response.writeHead(404).end());
  server.attachWebSocket(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return underTest(server, `coap+ws://127.0.0.1:${port}/.well-known/cmp`, maxMessageBytes, async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
});
