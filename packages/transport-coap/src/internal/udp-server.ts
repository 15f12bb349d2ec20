import type { RemoteInfo, Socket } from 'node:dgram';
import { CoapCode } from '../coap-codes.js';
import { CoapTransportError } from '../coap-transport-error.js';
import { szxOf } from './block-option.js';
import type { CmpResource, ResourceResponse } from './cmp-resource.js';
import { CoapFormatError } from '../coap-format-error.js';
import { decodeUdpMessage, encodeUdpMessage, MessageType, type CoapMessage } from './message.js';
import type { CoapOption } from './options.js';
import { ServerSession } from './server-session.js';
import { exchangeLifetimeMs, randomBytes, retransmit, type TransmissionParameters } from './transmission.js';

export interface UdpServerSettings {
  resource: CmpResource;
  transmission: TransmissionParameters;
  blockSize: number;
  piggybackMs: number;
  observeWaitMs: number;
  bodyTimeoutMs: number;
  idleTimeoutMs: number;
  maxExchanges: number;
  newSessionId: () => string;
  onSession: (session: ServerSession) => void;
}

/** What was answered to a confirmable or non-confirmable request, by peer and message ID. */
interface Exchange {
  expires: number;
  /** The datagram to send again on a duplicate (piggybacked response or empty ACK); undefined while the handler runs. */
  reply: Uint8Array | undefined;
  /** The request was confirmable and is already acknowledged (empty ACK sent). */
  acknowledged: boolean;
}

/** A confirmable message the server sent (separate response, notification) waiting for its ACK. */
interface Outgoing {
  stop(): void;
  resolve(): void;
  reject(error: Error): void;
  peer: string;
  token: Uint8Array;
}

/**
 * The server's messaging layer over UDP (RFC 7252 section 4): deduplication of requests by peer and
 * message ID for EXCHANGE_LIFETIME (a duplicate gets the same reply and never reaches the
 * resource twice), piggybacked responses when the handler is quick, else an empty ACK and a
 * separate confirmable response retransmitted until acknowledged, confirmable notifications,
 * Reset for what it cannot place.
 */
export class UdpServer {
  readonly sessions = new Map<string, ServerSession>();
  readonly #socket: Socket;
  readonly #settings: UdpServerSettings;
  readonly #exchanges = new Map<string, Exchange>();
  readonly #outgoing = new Map<string, Outgoing>();
  readonly #lifetime: number;
  readonly #sweeper: ReturnType<typeof setInterval>;
  #messageId = (randomBytes(2)[0]! << 8) | randomBytes(1)[0]!;

  constructor(socket: Socket, settings: UdpServerSettings) {
    this.#socket = socket;
    this.#settings = settings;
    this.#lifetime = exchangeLifetimeMs(settings.transmission);
    socket.on('message', (datagram, remote) =>
      this.#receive(new Uint8Array(datagram.buffer, datagram.byteOffset, datagram.byteLength), remote),
    );
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(10_000, settings.bodyTimeoutMs));
    this.#sweeper.unref();
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const session of [...this.sessions.values()]) session.close();
    for (const outgoing of this.#outgoing.values()) {
      outgoing.stop();
      outgoing.reject(new CoapTransportError('coap: the server closed'));
    }
    this.#outgoing.clear();
  }

  #receive(datagram: Uint8Array, remote: RemoteInfo): void {
    const peer = remote.family === 'IPv6' ? `[${remote.address}]:${remote.port}` : `${remote.address}:${remote.port}`;
    let message: CoapMessage;
    try {
      message = decodeUdpMessage(datagram);
    } catch (error) {
      // A confirmable message we cannot parse is rejected with a Reset (RFC 7252 section 4.2); anything else is dropped.
      if (
        error instanceof CoapFormatError &&
        datagram.byteLength >= 4 &&
        datagram[0]! >> 6 === 1 &&
        ((datagram[0]! >> 4) & 3) === MessageType.con
      ) {
        this.#sendRaw(encodeUdpMessage(emptyMessage(MessageType.rst, (datagram[2]! << 8) | datagram[3]!)), remote);
      }
      return;
    }
    const { type, code } = message;
    if (type === MessageType.ack || type === MessageType.rst) return this.#acknowledged(peer, message);
    if (code === CoapCode.empty) {
      if (type === MessageType.con) this.#sendRaw(encodeUdpMessage(emptyMessage(MessageType.rst, message.messageId)), remote); // CoAP ping
      return;
    }
    if (code >> 5 !== 0) {
      // A response the server did not ask for.
      if (type === MessageType.con) this.#sendRaw(encodeUdpMessage(emptyMessage(MessageType.rst, message.messageId)), remote);
      return;
    }
    const key = `${peer}#${message.messageId}`;
    const seen = this.#exchanges.get(key);
    if (seen !== undefined) {
      if (seen.reply !== undefined) this.#sendRaw(seen.reply, remote);
      return;
    }
    const exchange: Exchange = { expires: Date.now() + this.#lifetime, reply: undefined, acknowledged: false };
    this.#remember(key, exchange);
    const session = this.#session(peer, remote);
    session.lastActivity = Date.now();
    void this.#serve(message, session, exchange, remote);
  }

  async #serve(request: CoapMessage, session: ServerSession, exchange: Exchange, remote: RemoteInfo): Promise<void> {
    const confirmable = request.type === MessageType.con;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (confirmable) {
      timer = setTimeout(() => {
        // Not ready in time: acknowledge now, answer later (separate response, RFC 7252 section 5.2.2).
        exchange.acknowledged = true;
        exchange.reply = encodeUdpMessage(emptyMessage(MessageType.ack, request.messageId));
        this.#sendRaw(exchange.reply, remote);
      }, this.#settings.piggybackMs);
      timer.unref?.();
    }
    let response: ResourceResponse;
    try {
      response = await this.#settings.resource.serve(request, session);
    } catch {
      response = { code: CoapCode.internalServerError, options: [], payload: new TextEncoder().encode('internal server error') };
    }
    if (timer !== undefined) clearTimeout(timer);
    if (confirmable && !exchange.acknowledged) {
      exchange.reply = encodeUdpMessage({ type: MessageType.ack, messageId: request.messageId, token: request.token, ...response });
      this.#sendRaw(exchange.reply, remote);
      return;
    }
    const messageId = this.#nextMessageId();
    const type = confirmable ? MessageType.con : MessageType.non;
    const datagram = encodeUdpMessage({ type, messageId, token: request.token, ...response });
    if (!confirmable) {
      exchange.reply = datagram;
      this.#sendRaw(datagram, remote);
      return;
    }
    await this.#sendConfirmable(session, datagram, messageId, request.token, remote).catch(() => undefined);
  }

  /** Sends a confirmable message; resolves on its ACK, rejects on Reset or when retransmission gives up. */
  #sendConfirmable(session: ServerSession, datagram: Uint8Array, messageId: number, token: Uint8Array, remote: RemoteInfo): Promise<void> {
    const key = `${session.remoteAddress}#${messageId}`;
    return new Promise<void>((resolve, reject) => {
      const sending = retransmit(
        () => this.#sendRaw(datagram, remote),
        this.#settings.transmission,
        () => {
          this.#outgoing.delete(key);
          reject(
            new CoapTransportError(
              `coap: ${session.remoteAddress} did not acknowledge after ${this.#settings.transmission.maxRetransmit} retransmissions`,
            ),
          );
        },
      );
      this.#outgoing.set(key, { stop: sending.stop, resolve, reject, peer: session.remoteAddress, token });
    });
  }

  #acknowledged(peer: string, message: CoapMessage): void {
    const key = `${peer}#${message.messageId}`;
    const outgoing = this.#outgoing.get(key);
    if (outgoing === undefined) return;
    this.#outgoing.delete(key);
    outgoing.stop();
    if (message.type === MessageType.ack) {
      outgoing.resolve();
      return;
    }
    // A Reset to a notification ends the observation (RFC 7641 section 3.6).
    this.sessions.get(peer)?.forget(outgoing.token);
    outgoing.reject(new CoapTransportError(`coap: ${peer} reset the message`));
  }

  #session(peer: string, remote: RemoteInfo): ServerSession {
    let session = this.sessions.get(peer);
    if (session !== undefined && !session.ended) return session;
    const settings = this.#settings;
    const szx = szxOf(settings.blockSize);
    const created: ServerSession = new ServerSession({
      id: settings.newSessionId(),
      remoteAddress: peer,
      carrier: 'udp',
      observeWaitMs: settings.observeWaitMs,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      link: {
        notify: (token: Uint8Array, code: number, options: CoapOption[], payload: Uint8Array) => {
          const messageId = this.#nextMessageId();
          created.lastActivity = Date.now();
          return this.#sendConfirmable(
            created,
            encodeUdpMessage({ type: MessageType.con, code, messageId, token, options, payload }),
            messageId,
            token,
            remote,
          );
        },
        limits: () => ({ maxPayload: settings.blockSize, szx, bert: false }),
        end: () => {
          if (this.sessions.get(peer) === created) this.sessions.delete(peer);
        },
      },
    });
    session = created;
    this.sessions.set(peer, session);
    settings.onSession(session);
    return session;
  }

  #remember(key: string, exchange: Exchange): void {
    if (this.#exchanges.size >= this.#settings.maxExchanges) {
      const oldest = this.#exchanges.keys().next().value;
      if (oldest !== undefined) this.#exchanges.delete(oldest);
    }
    this.#exchanges.set(key, exchange);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, exchange] of this.#exchanges) {
      if (exchange.expires >= now) break; // insertion order is expiry order
      this.#exchanges.delete(key);
    }
    for (const session of [...this.sessions.values()]) {
      session.sweep(now);
      const idle = now - session.lastActivity > this.#settings.idleTimeoutMs;
      if (idle && !session.observing && session.inFlight.size === 0) session.close();
    }
  }

  #nextMessageId(): number {
    this.#messageId = (this.#messageId + 1) & 0xffff;
    return this.#messageId;
  }

  #sendRaw(datagram: Uint8Array, remote: RemoteInfo): void {
    this.#socket.send(datagram, remote.port, remote.address, () => {
      // A send error (the socket closed, no route) is like a lost datagram: retransmission covers it.
    });
  }
}

function emptyMessage(type: number, messageId: number): CoapMessage {
  return { type, code: CoapCode.empty, messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) };
}
