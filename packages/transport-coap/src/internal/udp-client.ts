import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { CoapCode } from '../coap-codes.js';
import { CoapTransportError } from '../coap-transport-error.js';
import { decodeUdpMessage, encodeUdpMessage, MessageType, type CoapMessage } from './message.js';
import type { CoapOption } from './options.js';
import { hex } from './bytes.js';
import { exchangeLifetimeMs, randomBytes, retransmit, type TransmissionParameters } from './transmission.js';

/** How an exchange ended: its response, or why not. */
type Outcome = { message: CoapMessage } | { error: unknown };

interface Pending {
  messageId: number;
  stop(): void;
  settle(outcome: Outcome): void;
}

/**
 * The client's messaging layer over UDP (RFC 7252 section 4): one socket connected to the server,
 * requests sent confirmable and retransmitted until acknowledged, piggybacked and separate
 * responses matched by token, confirmable responses acknowledged (a duplicate is acknowledged
 * again and not delivered twice), Reset for confirmable messages nobody waits for.
 */
export class UdpClient {
  readonly #socket: Socket;
  readonly #ready: Promise<void>;
  readonly #target: string;
  readonly #transmission: TransmissionParameters;
  readonly #pending = new Map<string, Pending>();
  readonly #received = new Map<number, number>();
  readonly #lifetime: number;
  readonly #onUnmatched: (message: CoapMessage) => boolean;
  #messageId = (randomBytes(1)[0]! << 8) | randomBytes(1)[0]!;
  #closed = false;

  constructor(host: string, port: number, transmission: TransmissionParameters, onUnmatched: (message: CoapMessage) => boolean) {
    this.#target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.#transmission = transmission;
    this.#lifetime = exchangeLifetimeMs(transmission);
    this.#onUnmatched = onUnmatched;
    this.#socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    this.#socket.on('error', () => {
      // ICMP port unreachable and the like: retransmission and timeouts report the failure.
    });
    this.#socket.on('message', (datagram) => this.#receive(new Uint8Array(datagram.buffer, datagram.byteOffset, datagram.byteLength)));
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#socket.connect(port, host, (error?: Error) => {
        if (error) reject(new CoapTransportError(`coap: cannot reach ${this.#target}: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
    this.#ready.catch(() => undefined);
  }

  /** Sends a confirmable request; resolves to its response, piggybacked or separate. */
  async request(
    code: number,
    options: CoapOption[],
    payload: Uint8Array,
    signal?: AbortSignal,
    explicitToken?: Uint8Array,
  ): Promise<CoapMessage> {
    signal?.throwIfAborted();
    await this.#ready;
    if (this.#closed) throw new CoapTransportError('coap: the transport is closed');
    const token = explicitToken ?? this.#newToken();
    const key = hex(token);
    const messageId = this.#nextMessageId();
    const datagram = encodeUdpMessage({ type: MessageType.con, code, messageId, token, options, payload });
    return new Promise<CoapMessage>((resolve, reject) => {
      const onAbort = (): void => settle({ error: signal!.reason });
      const settle = (outcome: Outcome): void => {
        if (this.#pending.get(key) !== pending) return;
        this.#pending.delete(key);
        sending.stop();
        signal?.removeEventListener('abort', onAbort);
        if ('message' in outcome) resolve(outcome.message);
        else reject(outcome.error);
      };
      const sending = retransmit(
        () => this.#send(datagram),
        this.#transmission,
        () =>
          settle({
            error: new CoapTransportError(
              `coap: ${this.#target} did not acknowledge after ${this.#transmission.maxRetransmit} retransmissions`,
            ),
          }),
      );
      const pending: Pending = { messageId, stop: sending.stop, settle };
      this.#pending.set(key, pending);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of [...this.#pending.values()]) pending.settle({ error: new CoapTransportError('coap: the transport is closed') });
    this.#socket.close();
  }

  #receive(datagram: Uint8Array): void {
    let message: CoapMessage;
    try {
      message = decodeUdpMessage(datagram);
    } catch {
      if (datagram.byteLength >= 4 && ((datagram[0]! >> 4) & 3) === MessageType.con) this.#reset((datagram[2]! << 8) | datagram[3]!);
      return;
    }
    const { type } = message;
    if (type === MessageType.ack || type === MessageType.rst) {
      const pending = [...this.#pending.values()].find((p) => p.messageId === message.messageId);
      if (pending === undefined) return;
      if (type === MessageType.rst) {
        pending.settle({ error: new CoapTransportError(`coap: ${this.#target} reset the request`) });
        return;
      }
      pending.stop();
      if (message.code !== CoapCode.empty) pending.settle({ message }); // piggybacked
      return;
    }
    if (message.code >> 5 === 0) {
      // A request to a client: not served.
      if (type === MessageType.con) this.#reset(message.messageId);
      return;
    }
    const confirmable = type === MessageType.con;
    if (confirmable && this.#duplicate(message.messageId)) {
      this.#ack(message.messageId);
      return;
    }
    const pending = this.#pending.get(hex(message.token));
    if (pending !== undefined) {
      if (confirmable) this.#ack(message.messageId);
      pending.settle({ message });
      return;
    }
    const taken = message.code !== CoapCode.empty && this.#onUnmatched(message);
    if (confirmable) {
      if (taken) this.#ack(message.messageId);
      else this.#reset(message.messageId);
    }
  }

  /** Remembers a received confirmable message ID for EXCHANGE_LIFETIME; true when seen before. */
  #duplicate(messageId: number): boolean {
    const now = Date.now();
    for (const [id, expires] of this.#received) {
      if (expires >= now) break;
      this.#received.delete(id);
    }
    if (this.#received.has(messageId)) return true;
    this.#received.set(messageId, now + this.#lifetime);
    return false;
  }

  #ack(messageId: number): void {
    this.#send(
      encodeUdpMessage({
        type: MessageType.ack,
        code: CoapCode.empty,
        messageId,
        token: new Uint8Array(0),
        options: [],
        payload: new Uint8Array(0),
      }),
    );
  }

  #reset(messageId: number): void {
    this.#send(
      encodeUdpMessage({
        type: MessageType.rst,
        code: CoapCode.empty,
        messageId,
        token: new Uint8Array(0),
        options: [],
        payload: new Uint8Array(0),
      }),
    );
  }

  #send(datagram: Uint8Array): void {
    if (this.#closed) return;
    this.#socket.send(datagram, () => {
      // A failed send is a lost datagram; retransmission covers it.
    });
  }

  #nextMessageId(): number {
    this.#messageId = (this.#messageId + 1) & 0xffff;
    return this.#messageId;
  }

  #newToken(): Uint8Array {
    for (;;) {
      const token = randomBytes(4);
      if (!this.#pending.has(hex(token))) return token;
    }
  }
}
