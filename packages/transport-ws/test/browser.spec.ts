import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import * as browser from '../src/browser.js';
import { createWsServer, type WebSocketConstructor } from '../src/index.js';
import { answerTo, hex } from './support/helpers.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the browser entry', () => {
  it('exports the client and no server', () => {
    expect(Object.keys(browser).sort()).toEqual(['WS_SUBPROTOCOL', 'WsEnvelopeKind', 'WsTransportError', 'wsTransport']);
  });

  it('needs a global WebSocket or an injected one', () => {
    vi.stubGlobal('WebSocket', undefined);
    expect(() => browser.wsTransport({ url: 'ws://127.0.0.1:1/' })).toThrow('ws: no WebSocket here: pass one in WsTransportInit.WebSocket');
  });

  it('uses the global WebSocket', async () => {
    vi.stubGlobal('WebSocket', WebSocket);
    const server = await createWsServer({
      handle: async (request) => answerTo(request),
      port: 0,
      host: '127.0.0.1',
    });
    const transport = browser.wsTransport({ url: `ws://127.0.0.1:${server.port}` });
    try {
      expect(hex(await transport.send(Uint8Array.of(0x30, 0x00)))).toBe('cfff');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('uses an injected WebSocket', async () => {
    vi.stubGlobal('WebSocket', undefined);
    const server = await createWsServer({
      handle: async (request) => answerTo(request),
      port: 0,
      host: '127.0.0.1',
    });
    const transport = browser.wsTransport({
      url: `ws://127.0.0.1:${server.port}`,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    try {
      expect(hex(await transport.send(Uint8Array.of(0x30, 0x01)))).toBe('cffe');
    } finally {
      await transport.close();
      await server.close();
    }
  });
});
