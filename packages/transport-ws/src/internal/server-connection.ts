import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RawData, WebSocket } from 'ws';
import type { PushChannel } from '@cmpkit/core';
import { WsEnvelopeKind } from '../envelope.js';
import type { WsRequestContext, WsServerConnection } from '../ws-server-types.js';
import { WsTransportError } from '../ws-transport-error.js';
import { ConnectionContext } from './connection-context.js';
import { CloseCode, decodeEnvelope, ENVELOPE_HEADER_BYTES, encodeEnvelope, MAX_ID } from './envelope.js';

/** Server settings a connection needs, defaults applied. */
export interface ServerConnectionOptions {
  handle: (request: Uint8Array, context: WsRequestContext) => Promise<Uint8Array>;
  maxMessageBytes: number;
  onError: ((error: unknown, context: WsRequestContext) => void) | undefined;
  /** Told once when the connection has closed. */
  onClosed?: (connection: ServerConnection) => void;
  /** When the TLS client's certificate goes into the context. */
  peerCertificate: 'authorized' | 'presented';
}

/** The DER certificate of a TLS client (wss:), when the certificate counts. */
function tlsPeerCertificate(request: IncomingMessage, mode: 'authorized' | 'presented'): Uint8Array | undefined {
  const tls = request.socket as Partial<Pick<TLSSocket, 'getPeerCertificate' | 'authorized'>>;
  if (typeof tls.getPeerCertificate !== 'function' || (mode === 'authorized' && tls.authorized !== true)) return undefined;
  const raw = tls.getPeerCertificate()?.raw;
  return raw !== undefined && raw.byteLength > 0 ? new Uint8Array(raw) : undefined;
}

/** How long a closing connection may take before it is terminated. */
const CLOSE_GRACE_MS = 1_000;

/** The connection a `ws` socket serves, for the listeners below (shared by every connection). */
const connectionOf = new WeakMap<WebSocket, ServerConnection>();

/**
 * One accepted WebSocket: each `request` envelope is handed to the handler at once (requests run
 * concurrently) and answered with a `response` or `error` envelope of the same id, whatever the
 * order they finish in. The application can push announcements at any time.
 *
 * Lean while idle, since a server holds one per end entity waiting for announcements: the
 * listeners are shared functions, and the request context, its abort signal and the set of ids
 * in flight are made when first needed.
 */
export class ServerConnection implements WsServerConnection, PushChannel {
  readonly id: string;
  readonly remoteAddress: string;
  readonly origin: string | undefined;
  readonly closed: Promise<void>;
  readonly #ws: WebSocket;
  readonly #options: ServerConnectionOptions;
  #markClosed: (() => void) | undefined;
  #context: ConnectionContext | undefined;
  readonly #tlsPeerCertificate: Uint8Array | undefined;
  #inFlight: Set<number> | undefined;
  #pushId = 0;
  /** A ping of ours has had no pong yet: the next keep-alive round ends the connection. */
  #awaitingPong = false;
  /** The peer sent something of its own (a request, a ping) since the last round: alive, and the path kept busy, without a ping of ours. */
  #heard = false;
  #gone = false;

  constructor(id: string, ws: WebSocket, request: IncomingMessage, options: ServerConnectionOptions) {
    this.id = id;
    this.#ws = ws;
    this.#options = options;
    const address = request.socket.remoteAddress ?? 'unknown';
    this.remoteAddress = `${address.includes(':') ? `[${address}]` : address}:${request.socket.remotePort ?? 0}`;
    const origin = request.headers.origin;
    this.origin = typeof origin === 'string' ? origin : undefined;
    this.closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    // Read now: the handshake request is not kept.
    this.#tlsPeerCertificate = tlsPeerCertificate(request, options.peerCertificate);
    if (ws.readyState === ws.CLOSED) {
      this.#onClose();
      return;
    }
    connectionOf.set(ws, this);
    ws.on('message', ServerConnection.#message);
    ws.on('pong', ServerConnection.#pong);
    ws.on('ping', ServerConnection.#ping);
    // The server added the listener for 'error' (a reset; 'close' follows) before it accepted.
    ws.once('close', ServerConnection.#close);
  }

  static #message(this: WebSocket, data: RawData, isBinary: boolean): void {
    const connection = connectionOf.get(this);
    if (connection) connection.#onMessage(data, isBinary);
  }

  static #pong(this: WebSocket): void {
    const connection = connectionOf.get(this);
    if (connection) connection.#awaitingPong = false;
  }

  static #ping(this: WebSocket): void {
    const connection = connectionOf.get(this);
    if (connection) connection.#heard = true;
  }

  static #close(this: WebSocket): void {
    const connection = connectionOf.get(this);
    if (connection) connection.#onClose();
  }

  /** {@link push}: the connection is its own {@link PushChannel}, the one its requests' context carries. */
  send(message: Uint8Array): Promise<void> {
    return this.push(message);
  }

  push(message: Uint8Array): Promise<void> {
    if (!(message instanceof Uint8Array) || message.byteLength === 0) {
      return Promise.reject(new TypeError('ws: push needs a non-empty Uint8Array (the DER of a PKIMessage)'));
    }
    if (this.#ws.readyState !== this.#ws.OPEN) {
      return Promise.reject(new WsTransportError(`ws: the connection ${this.id} (${this.remoteAddress}) is not open`));
    }
    this.#pushId = this.#pushId >= MAX_ID ? 1 : this.#pushId + 1;
    const envelope = encodeEnvelope(WsEnvelopeKind.push, this.#pushId, message);
    return new Promise((resolve, reject) => {
      this.#ws.send(envelope, { binary: true }, (error) =>
        error
          ? reject(
              new WsTransportError(`ws: push to ${this.remoteAddress} failed: ${error.message}`, {
                cause: error,
              }),
            )
          : resolve(),
      );
    });
  }

  close(code: number = CloseCode.normal, reason?: string): void {
    if (this.#ws.readyState === this.#ws.CLOSED) return;
    this.#ws.close(code, reason);
    setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /**
   * One keep-alive round: a peer that sent something of its own since the last round is left
   * alone (a client that pings by itself costs no ping of ours); one that did not answer the
   * previous ping is terminated; the others are pinged.
   */
  heartbeat(): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    if (this.#heard) {
      this.#heard = false;
      this.#awaitingPong = false;
      return;
    }
    if (this.#awaitingPong) {
      this.#ws.terminate();
      return;
    }
    this.#awaitingPong = true;
    this.#ws.ping();
  }

  #onClose(): void {
    if (this.#gone) return;
    this.#gone = true;
    connectionOf.delete(this.#ws);
    this.#inFlight = undefined;
    this.#context?.connectionClosed(() => this.#closedError());
    this.#markClosed?.();
    this.#markClosed = undefined;
    this.#options.onClosed?.(this);
  }

  #closedError(): WsTransportError {
    return new WsTransportError(`ws: the connection ${this.id} (${this.remoteAddress}) closed`);
  }

  /** What the handler gets with every request of this connection; its signal aborts when the connection closes. */
  #requestContext(): WsRequestContext {
    if (this.#context) return this.#context;
    this.#context = new ConnectionContext(this.remoteAddress, this.id, this, this.#tlsPeerCertificate);
    if (this.#gone) this.#context.connectionClosed(() => this.#closedError());
    return this.#context;
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.#heard = true;
    if (!isBinary) {
      this.close(CloseCode.unsupportedData, 'binary messages only');
      return;
    }
    const bytes = toBytes(data);
    if (bytes.byteLength > this.#options.maxMessageBytes + ENVELOPE_HEADER_BYTES) {
      this.close(CloseCode.messageTooBig, 'message too big');
      return;
    }
    const envelope = decodeEnvelope(bytes);
    if (envelope === undefined) {
      this.close(CloseCode.protocolError, 'malformed envelope');
      return;
    }
    if (envelope.kind !== WsEnvelopeKind.request) {
      this.close(CloseCode.protocolError, `unexpected message kind ${envelope.kind}`);
      return;
    }
    if (envelope.payload.byteLength === 0) {
      this.#send(WsEnvelopeKind.error, envelope.id, new TextEncoder().encode('empty request: it must carry a PKIMessage'));
      return;
    }
    const inFlight = (this.#inFlight ??= new Set());
    if (inFlight.has(envelope.id)) {
      this.#send(WsEnvelopeKind.error, envelope.id, new TextEncoder().encode(`id ${envelope.id} is already in flight`));
      return;
    }
    inFlight.add(envelope.id);
    void this.#serve(envelope.id, envelope.payload);
  }

  async #serve(id: number, request: Uint8Array): Promise<void> {
    let answer: unknown;
    let failed = false;
    try {
      answer = await this.#options.handle(request, this.#requestContext());
    } catch (error) {
      failed = true;
      this.#report(error);
    }
    const inFlight = this.#inFlight;
    if (!inFlight?.delete(id)) return; // the connection closed meanwhile
    if (inFlight.size === 0) this.#inFlight = undefined;
    if (!failed && answer instanceof Uint8Array && answer.byteLength > 0) {
      this.#send(WsEnvelopeKind.response, id, answer);
      return;
    }
    if (!failed) this.#report(new TypeError('ws: the CMP handler resolved to something other than a non-empty Uint8Array'));
    this.#send(WsEnvelopeKind.error, id, new TextEncoder().encode('internal server error'));
  }

  #report(error: unknown): void {
    try {
      this.#options.onError?.(error, this.#requestContext());
    } catch {
      // onError must not throw; the client still gets its error envelope.
    }
  }

  #send(kind: number, id: number, payload: Uint8Array): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(encodeEnvelope(kind, id, payload), { binary: true });
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
