import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CoapCarrier, CoapCmpHandler, CoapServerOptions, CoapServerSession } from './coap-server-types.js';
import { CMP_WELL_KNOWN_PATH, COAP_WS_PATH, COAP_WS_SUBPROTOCOL } from './constants.js';
import { szxOf } from './internal/block-option.js';
import { CmpResource } from './internal/cmp-resource.js';
import { tcpPipe, wsPipe, type FramePipe } from './internal/frame-pipe.js';
import { MESSAGE_OVERHEAD, ReliableConnection } from './internal/reliable-connection.js';
import { ServerSession } from './internal/server-session.js';
import { resolveTransmission } from './internal/transmission.js';
import { UdpServer } from './internal/udp-server.js';

/** Configuration of {@link createCoapServer}. */
export interface CoapServerInit extends CoapServerOptions {
  /** Answers each CMP request; a `CmpHandler` from `@cmpkit/core` fits. It should never reject. */
  handle: CoapCmpHandler;
}

/** Where a listener of a {@link CoapServer} listens. */
export interface CoapListenAddress {
  port: number;
  host: string;
}

/** A CMP server over CoAP, from {@link createCoapServer}: one resource served on UDP, TCP and WebSocket alike. */
export interface CoapServer {
  /** Listens on UDP (`coap://`); port 0 picks a free one. */
  listenUdp(port: number, host?: string): Promise<CoapListenAddress>;
  /** Listens on TCP (`coap+tcp://`, RFC 8323); port 0 picks a free one. */
  listenTcp(port: number, host?: string): Promise<CoapListenAddress>;
  /**
   * Serves CoAP over WebSocket (`coap+ws://`, RFC 8323 section 4) on an HTTP server: upgrade
   * requests for `path` (default `/.well-known/coap`) offering the subprotocol `coap` are taken;
   * other upgrade requests are left to other `upgrade` listeners (refused with 404 when there is
   * none). Returns a function that detaches it.
   */
  attachWebSocket(http: HttpServer, options?: { path?: string }): () => void;
  /** The live sessions by id: UDP endpoints and TCP/WebSocket connections. */
  readonly sessions: ReadonlyMap<string, CoapServerSession>;
  /** Stops every listener and ends every session. */
  close(): Promise<void>;
}

const DEFAULTS = {
  maxMessageBytes: 1024 * 1024,
  blockSize: 1024,
  piggybackMs: 500,
  observeWaitMs: 5000,
  bodyTimeoutMs: 60_000,
  idleTimeoutMs: 300_000,
  maxExchanges: 20_000,
};

/**
 * Creates a CMP server over CoAP (RFC 9482): POST of a DER PKIMessage (Content-Format 259) to
 * `/.well-known/cmp` or `/.well-known/cmp/p/<label>`, answered 2.04 with the DER answer, error
 * messages included. Refusals: 4.05 for another method, 4.15 for another Content-Format, 4.13 with
 * Size1 for a body above `maxMessageBytes` (checked on Size1 and before each block is kept), 4.04
 * for another path, 4.02 for an unknown critical option, 5.05 for proxy requests, 5.00 when the
 * handler fails. Over UDP: confirmable messages, retransmission, deduplication (a request is
 * handled once however often it arrives), block-wise transfer both ways. Over TCP and WebSocket:
 * RFC 8323 framing, CSM, Ping/Pong, BERT. Announcements: an end entity observes `<base>/ann`
 * (RFC 7641); `context.push` of its requests then reaches it with notifications.
 *
 * @example
 * ```ts
 * const server = createCoapServer({ handle: cmpServer.handle });
 * await server.listenUdp(5683, '0.0.0.0');
 * await server.listenTcp(5683, '0.0.0.0');
 * server.attachWebSocket(httpServer);
 * ```
 */
export function createCoapServer(init: CoapServerInit): CoapServer {
  if (typeof init.handle !== 'function') throw new TypeError('coap: handle must be a function');
  const settings = { ...DEFAULTS, ...definedOnly(init) };
  for (const name of ['maxMessageBytes', 'piggybackMs', 'observeWaitMs', 'bodyTimeoutMs', 'idleTimeoutMs', 'maxExchanges'] as const) {
    const value = settings[name];
    if (!(value >= 0) || (name === 'maxMessageBytes' && !(Number.isSafeInteger(value) && value > 0))) {
      throw new RangeError(`coap: ${name} must be a positive number: ${value}`);
    }
  }
  szxOf(settings.blockSize); // validates the block size
  const transmission = resolveTransmission(init.transmission);
  const basePath = (init.basePath ?? CMP_WELL_KNOWN_PATH).split('/').filter((s) => s !== '');
  const resource = new CmpResource({
    handle: init.handle,
    basePath,
    maxMessageBytes: settings.maxMessageBytes,
    bodyTimeoutMs: settings.bodyTimeoutMs,
    maxBodiesPerSession: 16,
    onError: init.onError,
  });
  const sessions = new Map<string, ServerSession>();
  const counters: Record<CoapCarrier, number> = { udp: 0, tcp: 0, ws: 0 };
  const newId = (carrier: CoapCarrier) => (): string => `coap-${carrier}-${++counters[carrier]}`;
  const track = (session: ServerSession): void => {
    sessions.set(session.id, session);
    void session.closed.then(() => sessions.delete(session.id));
    try {
      init.onSession?.(session);
    } catch {
      // onSession must not throw.
    }
  };
  const udpSockets: { socket: UdpSocket; server: UdpServer }[] = [];
  const netServers: NetServer[] = [];
  const detachers: (() => void)[] = [];
  let closing = false;
  // The largest message accepted on TCP/WebSocket: a whole body of maxMessageBytes plus its options.
  const maxMessageSize = settings.maxMessageBytes + MESSAGE_OVERHEAD;

  const serveReliable = (pipe: FramePipe, carrier: 'tcp' | 'ws'): void => {
    if (closing) {
      pipe.destroy();
      return;
    }
    // eslint-disable-next-line prefer-const
    let session: ServerSession;
    const connection = new ReliableConnection(pipe, {
      maxMessageSize,
      onRequest: (message) => {
        void resource.serve(message, session).then(
          (response) => connection.send({ token: message.token, ...response }).catch(() => undefined),
          () => undefined,
        );
      },
      onClosed: () => session.close(),
    });
    session = new ServerSession({
      id: newId(carrier)(),
      remoteAddress: pipe.remoteAddress,
      carrier,
      observeWaitMs: settings.observeWaitMs,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      link: {
        notify: (token, code, options, payload) => connection.send({ code, token, options, payload }),
        limits: () => connection.limits(),
        end: () => connection.release(),
      },
    });
    track(session);
  };

  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const session of sessions.values()) if (session.carrier !== 'udp') session.sweep(now);
    },
    Math.min(10_000, settings.bodyTimeoutMs),
  );
  sweeper.unref();

  return {
    sessions,
    async listenUdp(port, host) {
      const socket = createSocket({ type: host?.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      socket.on('error', () => {
        // ICMP errors on send; the retransmission logic copes.
      });
      const server = new UdpServer(socket, {
        resource,
        transmission,
        blockSize: settings.blockSize,
        piggybackMs: settings.piggybackMs,
        observeWaitMs: settings.observeWaitMs,
        bodyTimeoutMs: settings.bodyTimeoutMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        maxExchanges: settings.maxExchanges,
        newSessionId: newId('udp'),
        onSession: track,
      });
      udpSockets.push({ socket, server });
      const address = socket.address();
      return { port: address.port, host: address.address };
    },
    async listenTcp(port, host) {
      const server = createNetServer((socket) => {
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 60_000);
        socket.setTimeout(settings.idleTimeoutMs, () => socket.destroy());
        serveReliable(tcpPipe(socket, maxMessageSize), 'tcp');
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      netServers.push(server);
      const address = server.address() as AddressInfo;
      return { port: address.port, host: address.address };
    },
    attachWebSocket(http, options) {
      const path = options?.path ?? COAP_WS_PATH;
      const wss = new WebSocketServer({
        noServer: true,
        maxPayload: maxMessageSize,
        handleProtocols: (offered) => (offered.has(COAP_WS_SUBPROTOCOL) ? COAP_WS_SUBPROTOCOL : false),
      });
      const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
        if ((request.url ?? '').split('?', 1)[0] !== path) {
          // Another listener's upgrade, or nobody's: Node leaves a socket no listener ends open.
          if (http.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
        socket.on('error', () => {});
        if (!offered.includes(COAP_WS_SUBPROTOCOL) || closing) {
          socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
          const address = request.socket.remoteAddress ?? 'unknown';
          const remote = `${address.includes(':') ? `[${address}]` : address}:${request.socket.remotePort ?? 0}`;
          serveReliable(wsPipe(ws, remote, maxMessageSize), 'ws');
        });
      };
      http.on('upgrade', onUpgrade);
      const detach = (): void => {
        http.off('upgrade', onUpgrade);
        wss.close();
      };
      detachers.push(detach);
      return detach;
    },
    async close() {
      closing = true;
      clearInterval(sweeper);
      for (const detach of detachers.splice(0)) detach();
      for (const { server } of udpSockets) server.close();
      for (const session of [...sessions.values()]) session.close();
      await Promise.all([
        ...udpSockets.splice(0).map(({ socket }) => new Promise<void>((resolve) => socket.close(() => resolve()))),
        ...netServers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      ]);
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
