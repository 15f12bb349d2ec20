import { CoapCode, codeText } from '../coap-codes.js';
import { CoapFormatError } from '../coap-format-error.js';
import { CoapTransportError } from '../coap-transport-error.js';
import type { FramePipe, PipeProblem } from './frame-pipe.js';
import { decodeReliableMessage, encodeReliableMessage, type CoapMessage } from './message.js';
import { encodeUint, isCritical, optionUint, SignalOption, type CoapOption } from './options.js';
import { hex } from './bytes.js';
import { randomBytes } from './transmission.js';

/** The Max-Message-Size a peer has before its CSM arrives (RFC 8323 section 5.3.1). */
export const DEFAULT_MAX_MESSAGE_SIZE = 1152;
/** Room kept in a message for the header and options when filling it with payload. */
export const MESSAGE_OVERHEAD = 128;

export interface ReliableConnectionInit {
  /** The largest message accepted from the peer, announced in our CSM. */
  maxMessageSize: number;
  /** A request from the peer (server role); absent on a client, which refuses requests with 4.05. */
  onRequest?: (message: CoapMessage) => void;
  /** A response whose token matches no request in flight (a notification, on a client). */
  onUnmatched?: (message: CoapMessage) => void;
  /** The connection ended (for whatever reason); `error` says why when it was not a clean close. */
  onClosed?: (error: CoapTransportError) => void;
}

/**
 * One CoAP connection over TCP or WebSocket (RFC 8323): both ends send a CSM (7.01) first with
 * their Max-Message-Size and the Block-Wise-Transfer option; Ping (7.02) is answered with Pong
 * (7.03); Release (7.04) and Abort (7.05) close. Messages carry no type or message ID: a response
 * is matched to its request by token only. A message larger than our Max-Message-Size, or a first
 * message that is not a CSM, is answered with Abort and the connection closes.
 */
export class ReliableConnection {
  readonly remoteAddress: string;
  readonly closed: Promise<CoapTransportError>;
  readonly #pipe: FramePipe;
  readonly #init: ReliableConnectionInit;
  readonly #pending = new Map<string, (message: CoapMessage | CoapTransportError) => void>();
  #peerCsm: Promise<void>;
  #csmReceived!: () => void;
  #peerMaxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  #peerBlockWise = false;
  #sawFirst = false;
  #ended: CoapTransportError | undefined;
  #resolveClosed!: (error: CoapTransportError) => void;
  lastActivity = Date.now();

  constructor(pipe: FramePipe, init: ReliableConnectionInit) {
    this.#pipe = pipe;
    this.#init = init;
    this.remoteAddress = pipe.remoteAddress;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#peerCsm = new Promise((resolve) => {
      this.#csmReceived = resolve;
    });
    pipe.start({
      frame: (frame) => this.#receive(frame),
      problem: (problem) => this.#problem(problem),
      closed: () => this.#end(new CoapTransportError(`coap: the connection to ${this.remoteAddress} closed`)),
    });
    void this.#signal(CoapCode.csm, [
      { number: SignalOption.maxMessageSize, value: encodeUint(init.maxMessageSize) },
      { number: SignalOption.blockWiseTransfer, value: new Uint8Array(0) },
    ]);
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }

  /** Resolves once the peer's CSM arrived (rejects if the connection ends first). */
  ready(): Promise<void> {
    if (this.#ended) return Promise.reject(this.#ended);
    return Promise.race([this.#peerCsm, this.closed.then((error) => Promise.reject(error))]);
  }

  /** What one message to the peer may carry, from its CSM. */
  limits(): { maxPayload: number; szx: number; bert: boolean } {
    const maxPayload = Math.max(16, this.#peerMaxMessageSize - MESSAGE_OVERHEAD);
    const szx = maxPayload >= 1024 ? 6 : Math.max(0, Math.floor(Math.log2(maxPayload)) - 4);
    return { maxPayload, szx, bert: this.#peerBlockWise && maxPayload >= 2048 };
  }

  /** Sends a request and resolves to the response with its token. */
  request(
    code: number,
    options: CoapOption[],
    payload: Uint8Array,
    signal?: AbortSignal,
    explicitToken?: Uint8Array,
  ): Promise<CoapMessage> {
    if (this.#ended) return Promise.reject(this.#ended);
    const token = explicitToken ?? this.#newToken();
    return this.#awaitAnswer(token, signal, () => this.send({ code, token, options, payload }));
  }

  /** Sends one message as it is (responses, notifications). */
  async send(message: Pick<CoapMessage, 'code' | 'token' | 'options' | 'payload'>): Promise<void> {
    if (this.#ended) throw this.#ended;
    this.lastActivity = Date.now();
    try {
      await this.#pipe.send(encodeReliableMessage(message, this.#pipe.withLength));
    } catch (error) {
      throw new CoapTransportError(`coap: cannot send to ${this.remoteAddress}: ${describe(error)}`, { cause: error });
    }
  }

  /** Sends a Ping and resolves on its Pong (RFC 8323 section 5.4). */
  async ping(signal?: AbortSignal): Promise<void> {
    if (this.#ended) throw this.#ended;
    const token = this.#newToken();
    await this.#awaitAnswer(token, signal, () => this.#signal(CoapCode.ping, [], token));
  }

  /** Sends with `send` and resolves to the message with `token` (a response, a Pong). */
  #awaitAnswer(token: Uint8Array, signal: AbortSignal | undefined, send: () => Promise<void>): Promise<CoapMessage> {
    const key = hex(token);
    return new Promise<CoapMessage>((resolve, reject) => {
      const onAbort = (): void => {
        this.#pending.delete(key);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(key, (result) => {
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(key);
        if (result instanceof CoapTransportError) reject(result);
        else resolve(result);
      });
      send().catch((error: unknown) => {
        this.#pending.get(key)?.(
          new CoapTransportError(`coap: cannot send to ${this.remoteAddress}: ${describe(error)}`, { cause: error }),
        );
      });
    });
  }

  /** Release (7.04), then close. */
  release(): void {
    if (this.#ended) return;
    void this.#signal(CoapCode.release, []).finally(() => this.#pipe.close());
    this.#end(new CoapTransportError(`coap: the connection to ${this.remoteAddress} was released`));
  }

  /** Closes at once: an Abort (7.05) with a reason when given. */
  abort(reason?: string): void {
    if (this.#ended) return;
    if (reason === undefined) this.#pipe.destroy();
    else void this.#signal(CoapCode.abort, [], undefined, reason).finally(() => this.#pipe.close());
    this.#end(new CoapTransportError(`coap: the connection to ${this.remoteAddress} was aborted${reason ? `: ${reason}` : ''}`));
  }

  #receive(frame: Uint8Array): void {
    this.lastActivity = Date.now();
    let message: CoapMessage;
    try {
      message = decodeReliableMessage(frame, this.#pipe.withLength);
    } catch (error) {
      this.abort(error instanceof CoapFormatError ? error.message : 'malformed message');
      return;
    }
    const { code } = message;
    if (!this.#sawFirst) {
      this.#sawFirst = true;
      if (code !== CoapCode.csm) {
        this.abort('the first message must be a CSM (7.01)');
        return;
      }
    }
    if (code >> 5 === 7) return this.#signalReceived(message);
    if (code === CoapCode.empty) return; // ignored (RFC 8323 section 3.3)
    if (code >> 5 === 0) {
      if (this.#init.onRequest) this.#init.onRequest(message);
      else
        void this.send({ code: CoapCode.methodNotAllowed, token: message.token, options: [], payload: new Uint8Array(0) }).catch(
          () => undefined,
        );
      return;
    }
    const pending = this.#pending.get(hex(message.token));
    if (pending !== undefined) pending(message);
    else this.#init.onUnmatched?.(message);
  }

  #signalReceived(message: CoapMessage): void {
    switch (message.code) {
      case CoapCode.csm: {
        const unknown = message.options.find((o) => isCritical(o.number) && o.number !== 1);
        if (unknown !== undefined) {
          void this.#signal(CoapCode.abort, [{ number: SignalOption.badCsmOption, value: encodeUint(unknown.number) }]).finally(() =>
            this.#pipe.close(),
          );
          this.#end(new CoapTransportError(`coap: ${this.remoteAddress} sent a CSM with the unknown critical option ${unknown.number}`));
          return;
        }
        const size = optionUint(message.options, SignalOption.maxMessageSize);
        if (size !== undefined) this.#peerMaxMessageSize = Math.max(size, 16 + MESSAGE_OVERHEAD);
        if (message.options.some((o) => o.number === SignalOption.blockWiseTransfer)) this.#peerBlockWise = true;
        this.#csmReceived();
        return;
      }
      case CoapCode.ping:
        void this.#signal(CoapCode.pong, [], message.token).catch(() => undefined);
        return;
      case CoapCode.pong:
        this.#pending.get(hex(message.token))?.(message);
        return;
      case CoapCode.release:
        this.#pipe.close();
        this.#end(new CoapTransportError(`coap: ${this.remoteAddress} released the connection`));
        return;
      case CoapCode.abort: {
        const text = new TextDecoder()
          .decode(message.payload)
          .replace(/[^\x20-\x7e]/g, '')
          .slice(0, 200);
        this.#pipe.destroy();
        this.#end(new CoapTransportError(`coap: ${this.remoteAddress} aborted the connection${text ? `: ${text}` : ''}`));
        return;
      }
      default:
        // An unknown signal is ignored unless it has critical options (RFC 8323 section 5.2), which we then cannot process.
        if (message.options.some((o) => isCritical(o.number))) this.abort(`unknown signal ${codeText(message.code)} with critical options`);
    }
  }

  #problem(problem: PipeProblem): void {
    if (problem.kind === 'tooLarge') this.abort(`message of ${problem.size} octets exceeds Max-Message-Size ${this.#init.maxMessageSize}`);
    else this.abort(problem.detail);
  }

  #signal(code: number, options: CoapOption[], token: Uint8Array = new Uint8Array(0), diagnosticText?: string): Promise<void> {
    const payload = diagnosticText === undefined ? new Uint8Array(0) : new TextEncoder().encode(diagnosticText);
    return this.#pipe.send(encodeReliableMessage({ code, token, options, payload }, this.#pipe.withLength)).catch(() => undefined);
  }

  #end(error: CoapTransportError): void {
    if (this.#ended) return;
    this.#ended = error;
    for (const settle of [...this.#pending.values()]) settle(error);
    this.#pending.clear();
    this.#resolveClosed(error);
    this.#init.onClosed?.(error);
  }

  #newToken(): Uint8Array {
    for (;;) {
      const token = randomBytes(4);
      if (!this.#pending.has(hex(token))) return token;
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
