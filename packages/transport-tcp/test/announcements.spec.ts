// Announcements end to end over real TCP connections on 127.0.0.1 (the shared suite of
// @cmpkit/test-utils): the server adapter passes `context.push`, the client's `onPush` feeds
// `client.receivePush`.
import { announcementDelivery } from '@cmpkit/test-utils';
import { createTcpServer, tcpTransport } from '../src/index.js';

announcementDelivery('createTcpServer and tcpTransport', async (handler) => {
  const server = createTcpServer({ handle: handler });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    connect: (onPush) => tcpTransport({ host: '127.0.0.1', port, onPush }),
    close: () => server.close(),
  };
});
