import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { PushChannel } from '@cmpkit/core';
import type { TcpFraming } from '../framing.js';
import { TcpErrorCode } from '../framing.js';
import type { TcpRequestContext, TcpServerConnection } from '../tcp-server-types.js';
import { TcpTransportError } from '../tcp-transport-error.js';
import { ConnectionContext } from './connection-context.js';
import { encodeErrorMsgRep, encodeFrame, encodePollRep, FLAG_CLOSE, type Frame, MessageType, readUint32 } from './frame.js';
import { FrameReader, type FramingFault } from './frame-reader.js';

/** Server settings a connection needs, defaults applied. */
export interface ServerConnectionOptions {
  handle: (request: Uint8Array, context: TcpRequestContext) => Promise<Uint8Array>;
  maxMessageBytes: number;
  idleTimeoutMs: number;
  readTimeoutMs: number;
  polling: { afterMs: number; checkAfterSeconds: number } | undefined;
  now: () => number;
  onError: ((error: unknown, context: TcpRequestContext) => void) | undefined;
  /** Told once when the connection has closed. */
  onClosed?: (connection: ServerConnection) => void;
  /** When the TLS client's certificate goes into the context. */
  peerCertificate: 'authorized' | 'presented';
}

/** The DER certificate of a TLS client, when the socket is TLS and the certificate counts. */
function tlsPeerCertificate(socket: Socket, mode: 'authorized' | 'presented'): Uint8Array | undefined {
  const tls = socket as Partial<Pick<TLSSocket, 'getPeerCertificate' | 'authorized'>>;
  if (typeof tls.getPeerCertificate !== 'function' || (mode === 'authorized' && tls.authorized !== true)) return undefined;
  const raw = tls.getPeerCertificate()?.raw;
  return raw !== undefined && raw.byteLength > 0 ? new Uint8Array(raw) : undefined;
}

/** What the handler produced: an answer, or a failure that is answered with errorMsgRep. */
type Outcome = { answer: Uint8Array } | { failed: true };

/** A request answered with `pollRep`, waiting for its `pollReq`. */
interface PendingPoll {
  outcome: Outcome | undefined;
}

/** Frames queued before the reader stops taking more (backpressure on the socket). */
const MAX_QUEUED_FRAMES = 4;
/** How long a refused connection is drained before it is destroyed, so the peer reads the errorMsgRep. */
const LINGER_MS = 2_000;

/** Something to process in order: a frame, or the fault that ended the stream. */
type Item = { frame: Frame } | { fault: FramingFault };

/** The connection a socket serves, for the listeners below (shared by every connection). */
const connectionOf = new WeakMap<Socket, ServerConnection>();

function ignoreError(): void {
  // A reset or a write after the peer left; 'close' follows and cleans up.
}

/**
 * One accepted connection: reads frames, answers them one at a time in order, and lets the
 * application push announcements (`pkiReq` frames, server to client) at any time.
 *
 * Lean while idle, since a server holds one per end entity waiting for announcements: the
 * socket listeners are shared functions; the request context, its abort signal and the polling
 * table are made when first needed.
 */
export class ServerConnection implements TcpServerConnection, PushChannel {
  readonly id: string;
  readonly remoteAddress: string;
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  readonly #options: ServerConnectionOptions;
  readonly #reader: FrameReader;
  #markClosed: (() => void) | undefined;
  #context: ConnectionContext | undefined;
  readonly #queue: Item[] = [];
  #polls: Map<number, PendingPoll> | undefined;
  #nextPollReference = 1;
  #framing: TcpFraming = 'v10';
  #processing = false;
  /** Input is ignored: the stream is broken (fault, read timeout) or we are closing. */
  #stopReading = false;
  /** Our side is ended: nothing more is written. */
  #ended = false;
  #gone = false;
  #readTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(id: string, socket: Socket, options: ServerConnectionOptions) {
    this.id = id;
    this.#socket = socket;
    this.#options = options;
    this.#reader = new FrameReader(options.maxMessageBytes);
    const address = socket.remoteAddress ?? 'unknown';
    this.remoteAddress = `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? 0}`;
    this.closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    connectionOf.set(socket, this);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', ServerConnection.#data);
    socket.on('error', ignoreError);
    socket.once('close', ServerConnection.#close);
    this.#armIdle();
  }

  static #data(this: Socket, chunk: Uint8Array): void {
    const connection = connectionOf.get(this);
    if (connection) connection.#onData(chunk);
  }

  static #close(this: Socket): void {
    const connection = connectionOf.get(this);
    if (connection) connection.#onClose();
  }

  /** {@link push}: the connection is its own {@link PushChannel}, the one its requests' context carries. */
  send(message: Uint8Array): Promise<void> {
    return this.push(message);
  }

  /** What the handler gets with every request of this connection; its signal aborts when the connection closes. */
  #requestContext(): TcpRequestContext {
    if (this.#context) return this.#context;
    // Made at the first request, when a TLS handshake is complete.
    const peer = tlsPeerCertificate(this.#socket, this.#options.peerCertificate);
    this.#context = new ConnectionContext(this.remoteAddress, this.id, this, peer);
    if (this.#gone) this.#context.connectionClosed(() => this.#closedError());
    return this.#context;
  }

  #closedError(): TcpTransportError {
    return new TcpTransportError(`tcp: the connection ${this.id} (${this.remoteAddress}) closed`);
  }

  get framing(): TcpFraming {
    return this.#framing;
  }

  push(message: Uint8Array): Promise<void> {
    if (!(message instanceof Uint8Array) || message.byteLength === 0) {
      return Promise.reject(new TypeError('tcp: push needs a non-empty Uint8Array (the DER of a PKIMessage)'));
    }
    if (this.#gone || this.#ended)
      return Promise.reject(new TcpTransportError(`tcp: the connection ${this.id} (${this.remoteAddress}) is closed`));
    return new Promise((resolve, reject) => {
      this.#socket.write(encodeFrame(this.#framing, MessageType.pkiReq, message), (error) =>
        error
          ? reject(
              new TcpTransportError(`tcp: push to ${this.remoteAddress} failed: ${error.message}`, {
                cause: error,
              }),
            )
          : resolve(),
      );
    });
  }

  close(): void {
    this.#endAndDrain();
  }

  /** Closes at once, without a word to the peer. */
  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Uint8Array): void {
    if (this.#stopReading) return; // draining after a refusal
    this.#clearIdle();
    const { frames, fault } = this.#reader.push(chunk);
    for (const frame of frames) this.#queue.push({ frame });
    if (fault !== undefined) {
      this.#queue.push({ fault });
      this.#stopReading = true;
      this.#socket.pause();
    } else if (this.#queue.length >= MAX_QUEUED_FRAMES) {
      this.#socket.pause();
    }
    if (this.#reader.pending && fault === undefined) {
      this.#readTimer ??= setTimeout(() => this.#onReadTimeout(), this.#options.readTimeoutMs);
    } else {
      this.#clearReadTimer();
    }
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#processing) return;
    this.#processing = true;
    try {
      for (let item = this.#queue.shift(); item !== undefined && !this.#gone; item = this.#queue.shift()) {
        if (!this.#stopReading && this.#queue.length < MAX_QUEUED_FRAMES) this.#socket.resume();
        if ('fault' in item) {
          this.#refuse(item.fault);
          return;
        }
        await this.#process(item.frame);
      }
    } finally {
      this.#processing = false;
      this.#armIdle();
    }
  }

  async #process(frame: Frame): Promise<void> {
    this.#framing = frame.framing;
    const closing = (frame.flags & FLAG_CLOSE) !== 0;
    switch (frame.type) {
      case MessageType.pkiReq: {
        if (frame.value.byteLength === 0) {
          this.#sendError(TcpErrorCode.badRequest, 'empty pkiReq: it must carry a PKIMessage', closing);
          return;
        }
        const outcome = this.#invoke(frame.value);
        const polling = this.#options.polling;
        if (polling === undefined) {
          this.#answer(await outcome, closing);
          return;
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const early = await Promise.race([
          outcome,
          new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), polling.afterMs))),
        ]);
        clearTimeout(timer);
        if (early !== undefined) {
          this.#answer(early, closing);
          return;
        }
        const reference = this.#newPollReference();
        const pending: PendingPoll = { outcome: undefined };
        (this.#polls ??= new Map()).set(reference, pending);
        void outcome.then((result) => (pending.outcome = result));
        this.#sendPollRep(reference);
        return;
      }
      case MessageType.pollReq: {
        const reference = readUint32(frame.value, 0);
        const pending = reference === undefined ? undefined : this.#polls?.get(reference);
        if (reference === undefined || pending === undefined) {
          this.#sendError(TcpErrorCode.unknownPollReference, `unknown polling reference ${reference ?? '(missing)'}`, closing);
          return;
        }
        if (pending.outcome === undefined) {
          this.#sendPollRep(reference);
          return;
        }
        this.#polls?.delete(reference);
        this.#answer(pending.outcome, closing);
        return;
      }
      case MessageType.finRep:
      case MessageType.errorMsgRep:
        // A client's goodbye, or its complaint about a push: nothing to answer.
        if (closing) this.#endAndDrain();
        return;
      default:
        this.#sendError(TcpErrorCode.badRequest, `unexpected message type ${frame.type}: send pkiReq or pollReq`, closing);
    }
  }

  /** Runs the handler; never rejects. */
  async #invoke(request: Uint8Array): Promise<Outcome> {
    let answer: unknown;
    try {
      answer = await this.#options.handle(request, this.#requestContext());
    } catch (error) {
      this.#report(error);
      return { failed: true };
    }
    if (!(answer instanceof Uint8Array) || answer.byteLength === 0) {
      this.#report(new TypeError('tcp: the CMP handler resolved to something other than a non-empty Uint8Array'));
      return { failed: true };
    }
    return { answer };
  }

  #report(error: unknown): void {
    try {
      this.#options.onError?.(error, this.#requestContext());
    } catch {
      // onError must not throw; the client still gets its errorMsgRep.
    }
  }

  #answer(outcome: Outcome, closing: boolean): void {
    if ('answer' in outcome) this.#write(encodeFrame(this.#framing, MessageType.pkiRep, outcome.answer, closing ? FLAG_CLOSE : 0), closing);
    else this.#sendError(TcpErrorCode.internalError, 'internal server error', closing);
  }

  #sendPollRep(reference: number): void {
    const polling = this.#options.polling!;
    const checkBack = Math.floor(this.#options.now() / 1000) + polling.checkAfterSeconds;
    this.#write(encodeFrame(this.#framing, MessageType.pollRep, encodePollRep(reference, checkBack)), false);
  }

  #sendError(code: number, text: string, closing: boolean, data?: Uint8Array): void {
    this.#write(
      encodeFrame(this.#framing, MessageType.errorMsgRep, encodeErrorMsgRep(this.#framing, code, text, data), closing ? FLAG_CLOSE : 0),
      closing,
    );
  }

  #write(bytes: Uint8Array, thenClose: boolean): void {
    if (this.#gone || this.#ended) return;
    this.#socket.write(bytes);
    if (thenClose) this.#endAndDrain();
  }

  /** Answers a framing fault with errorMsgRep and closes: the stream can no longer be read. */
  #refuse(fault: FramingFault): void {
    switch (fault.kind) {
      case 'tooLarge': {
        const limit = new Uint8Array(4);
        new DataView(limit.buffer).setUint32(0, this.#options.maxMessageBytes);
        this.#sendError(TcpErrorCode.tooLarge, `message larger than ${this.#options.maxMessageBytes} octets`, true, limit);
        break;
      }
      case 'badVersion':
        this.#sendError(
          TcpErrorCode.unsupportedVersion,
          `unsupported version ${fault.octet}: this server speaks version 10 and RFC 2510`,
          true,
          Uint8Array.of(10),
        );
        break;
      case 'badLength':
        this.#sendError(TcpErrorCode.badRequest, `frame length ${fault.announced} is too short for its header`, true);
        break;
    }
  }

  #onReadTimeout(): void {
    this.#readTimer = undefined;
    if (this.#gone || this.#stopReading) return;
    this.#stopReading = true;
    this.#sendError(TcpErrorCode.readTimeout, `frame not complete within ${this.#options.readTimeoutMs} ms`, true);
  }

  /** Ends our side and reads (and drops) what the peer still sends, so it can read our last frame. */
  #endAndDrain(): void {
    this.#stopReading = true;
    this.#clearIdle();
    this.#clearReadTimer();
    if (this.#gone || this.#ended) return;
    this.#ended = true;
    this.#socket.resume();
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), LINGER_MS).unref();
  }

  #armIdle(): void {
    if (this.#gone || this.#stopReading || this.#processing || this.#queue.length > 0 || this.#reader.pending) return;
    if (!Number.isFinite(this.#options.idleTimeoutMs)) return;
    this.#clearIdle();
    this.#idleTimer = setTimeout(() => this.#endAndDrain(), this.#options.idleTimeoutMs);
  }

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #clearReadTimer(): void {
    if (this.#readTimer !== undefined) clearTimeout(this.#readTimer);
    this.#readTimer = undefined;
  }

  #newPollReference(): number {
    const reference = this.#nextPollReference;
    this.#nextPollReference = reference === 0xffff_ffff ? 1 : reference + 1;
    return reference;
  }

  #onClose(): void {
    this.#gone = true;
    this.#stopReading = true;
    this.#ended = true;
    this.#clearIdle();
    this.#clearReadTimer();
    this.#queue.length = 0;
    this.#polls = undefined;
    connectionOf.delete(this.#socket);
    this.#context?.connectionClosed(() => this.#closedError());
    this.#markClosed?.();
    this.#markClosed = undefined;
    this.#options.onClosed?.(this);
  }
}
