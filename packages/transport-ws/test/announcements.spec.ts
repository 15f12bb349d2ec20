// Announcements end to end over real WebSocket connections on 127.0.0.1 (the shared suite of
// @cmpkit/test-utils): the server adapter passes `context.push`, the client's `onPush` feeds
// `client.receivePush`.
import { announcementDelivery } from '@cmpkit/test-utils';
import { createWsServer, wsTransport } from '../src/index.js';

announcementDelivery('createWsServer and wsTransport', async (handler) => {
  const server = await createWsServer({ handle: handler, port: 0, host: '127.0.0.1', path: '/cmp' });
  return {
    connect: (onPush) => wsTransport({ url: `ws://127.0.0.1:${server.port}/cmp`, onPush }),
    close: () => server.close(),
  };
});
