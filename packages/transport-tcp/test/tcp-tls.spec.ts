import type { Server as TlsServer } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTlsFixtures, type TlsFixtures } from '@cmpkit/test-utils';
import { createTcpServer, tcpTransport, TcpTransportError, type TcpRequestContext, type TcpServer } from '../src/index.js';

let pki: TlsFixtures;
const cleanup: Array<() => Promise<void>> = [];
beforeAll(async () => {
  pki = await createTlsFixtures();
});
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function tlsServer(
  tls: NonNullable<Parameters<typeof createTcpServer>[0]['tls']>,
  seen: TcpRequestContext[] = [],
): Promise<{ server: TcpServer; port: number }> {
  const server = createTcpServer({
    handle: async (request, context) => {
      seen.push(context);
      return Uint8Array.from([...request].reverse());
    },
    tls,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanup.push(() => server.close());
  return { server, port };
}

function client(port: number, tls: NonNullable<Parameters<typeof tcpTransport>[0]['tls']>) {
  const transport = tcpTransport({ host: '127.0.0.1', port, tls, connectTimeoutMs: 10_000 });
  cleanup.push(() => transport.close());
  return transport;
}

describe('CMP over TCP with TLS', () => {
  it('exchanges frames over TLS with a server certificate the client trusts', async () => {
    const { port } = await tlsServer({ ...pki.server });
    const answer = await client(port, { ca: pki.ca }).send(Uint8Array.of(1, 2, 3));
    expect(answer).toEqual(Uint8Array.of(3, 2, 1));
  });

  it('refuses a server certificate under a root the client does not trust', async () => {
    const { port } = await tlsServer({ ...pki.stranger.server });
    const error = await client(port, { ca: pki.ca })
      .send(Uint8Array.of(1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TcpTransportError);
    expect((error as Error).message).toMatch(/cannot connect to 127\.0\.0\.1:\d+: .*(certificate|self.signed)/i);
  });

  it('hands a verified client certificate to the handler, and none when the client sends none', async () => {
    const seen: TcpRequestContext[] = [];
    const { port } = await tlsServer({ ...pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: false }, seen);
    await client(port, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key }).send(Uint8Array.of(1));
    await client(port, { ca: pki.ca }).send(Uint8Array.of(2));
    expect(seen[0]?.tlsPeerCertificate).toEqual(pki.client.der);
    expect(seen[1]?.tlsPeerCertificate).toBeUndefined();
  });

  it('serves a renewed certificate after setSecureContext on its server', async () => {
    const { server, port } = await tlsServer({ ...pki.server });
    (server.server as TlsServer).setSecureContext({ ...pki.stranger.server });
    expect(await client(port, { ca: pki.stranger.ca }).send(Uint8Array.of(7, 8))).toEqual(Uint8Array.of(8, 7));
  });
});
