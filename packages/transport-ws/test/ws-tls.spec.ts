import type { Server as HttpsServer } from 'node:https';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTlsFixtures, type TlsFixtures } from '@cmpkit/test-utils';
import { createWsServer, wsTransport, WsTransportError, type WsRequestContext, type WsServer, type WsTlsOptions } from '../src/index.js';

let pki: TlsFixtures;
const cleanup: Array<() => Promise<void>> = [];
beforeAll(async () => {
  pki = await createTlsFixtures();
});
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function wssServer(tls: NonNullable<Parameters<typeof createWsServer>[0]['tls']>, seen: WsRequestContext[] = []): Promise<WsServer> {
  const server = await createWsServer({
    handle: async (request, context) => {
      seen.push(context);
      return Uint8Array.from([...request].reverse());
    },
    port: 0,
    host: '127.0.0.1',
    path: '/cmp',
    tls,
  });
  cleanup.push(() => server.close());
  return server;
}

function client(port: number, tls: WsTlsOptions) {
  const transport = wsTransport({ url: `wss://127.0.0.1:${port}/cmp`, tls, timeoutMs: 10_000 });
  cleanup.push(() => transport.close());
  return transport;
}

describe('CMP over WebSocket with TLS (wss:)', () => {
  it('exchanges messages with a server certificate the client trusts', async () => {
    const server = await wssServer({ ...pki.server });
    expect(await client(server.port, { ca: pki.ca }).send(Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(3, 2, 1));
  });

  it('refuses a server certificate under a root the client does not trust', async () => {
    const server = await wssServer({ ...pki.stranger.server });
    const error = await client(server.port, { ca: pki.ca })
      .send(Uint8Array.of(1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsTransportError);
  });

  it('hands a verified client certificate to the handler', async () => {
    const seen: WsRequestContext[] = [];
    const server = await wssServer({ ...pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: false }, seen);
    await client(server.port, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key }).send(Uint8Array.of(1));
    await client(server.port, { ca: pki.ca }).send(Uint8Array.of(2));
    expect(seen[0]?.tlsPeerCertificate).toEqual(pki.client.der);
    expect(seen[1]?.tlsPeerCertificate).toBeUndefined();
  });

  it('serves a renewed certificate after setSecureContext on its server', async () => {
    const server = await wssServer({ ...pki.server });
    (server.server as HttpsServer).setSecureContext({ ...pki.stranger.server });
    expect(await client(server.port, { ca: pki.stranger.ca }).send(Uint8Array.of(4, 5))).toEqual(Uint8Array.of(5, 4));
  });
});
