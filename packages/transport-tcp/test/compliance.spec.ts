import { transportCompliance } from '@cmpkit/test-utils';
import { createTcpServer, tcpTransport } from '../src/index.js';

transportCompliance('tcpTransport and createTcpServer (version 10 framing)', async (handler, { maxMessageBytes }) => {
  const server = createTcpServer({ handle: handler, maxMessageBytes });
  const { port } = await server.listen(0, '127.0.0.1');
  const transport = tcpTransport({ host: '127.0.0.1', port, maxMessageBytes });
  return {
    transport,
    dropConnections: () => {
      for (const connection of server.connections.values()) connection.close();
    },
    close: async () => {
      await transport.close();
      await server.close();
    },
  };
});

transportCompliance('tcpTransport and createTcpServer (RFC 2510 framing)', async (handler, { maxMessageBytes }) => {
  const server = createTcpServer({ handle: handler, maxMessageBytes });
  const { port } = await server.listen(0, '127.0.0.1');
  const transport = tcpTransport({
    host: '127.0.0.1',
    port,
    maxMessageBytes,
    framing: 'rfc2510',
  });
  return {
    transport,
    dropConnections: () => {
      for (const connection of server.connections.values()) connection.close();
    },
    close: async () => {
      await transport.close();
      await server.close();
    },
  };
});
