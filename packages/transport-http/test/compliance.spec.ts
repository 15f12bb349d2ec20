import type { RequestListener } from 'node:http';
import { transportCompliance, type TransportComplianceSetup } from '@cmpkit/test-utils';
import type { CmpHandler } from '@cmpkit/core';
import { httpTransport, toFetchHandler, toNodeListener } from '../src/index.js';
import { fetchBridge } from './support/fetch-bridge.js';
import { listen } from './support/listen.js';

function setupWith(adapter: (handler: CmpHandler, maxMessageBytes: number) => RequestListener): TransportComplianceSetup {
  return async (handler, { maxMessageBytes }) => {
    const server = await listen(adapter(handler, maxMessageBytes));
    return {
      transport: httpTransport({ url: server.url(), maxResponseBytes: maxMessageBytes }),
      dropConnections: () => server.server.closeAllConnections(),
      close: server.close,
    };
  };
}

transportCompliance(
  'toNodeListener on node:http',
  setupWith((handler, maxMessageBytes) => toNodeListener(handler, { maxMessageBytes })),
);

transportCompliance(
  'toFetchHandler behind a node:http bridge',
  setupWith((handler, maxMessageBytes) => fetchBridge(toFetchHandler(handler, { maxMessageBytes }))),
);
