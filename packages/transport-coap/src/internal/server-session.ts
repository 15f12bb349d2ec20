import type { PushChannel } from '@cmpkit/core';
import { CoapCode } from '../coap-codes.js';
import type { CoapCarrier, CoapServerSession } from '../coap-server-types.js';
import { CoapTransportError } from '../coap-transport-error.js';
import { CONTENT_FORMAT_PKIXCMP } from '../constants.js';
import { encodeBlock, type BlockValue } from './block-option.js';
import { sameBytes } from './bytes.js';
import { encodeUint, Option, type CoapOption } from './options.js';
import { randomBytes } from './transmission.js';

/** How a session's carrier sends what the server sends unasked (notifications). */
export interface SessionLink {
  /** Sends a notification; UDP: confirmable, resolves on ACK, rejects on RST or no ACK. */
  notify(token: Uint8Array, code: number, options: CoapOption[], payload: Uint8Array): Promise<void>;
  /** The largest payload of one message to this peer, and whether BERT may be used. */
  limits(): { maxPayload: number; szx: number; bert: boolean };
  /** Ends the carrier's side (closes a connection; nothing for UDP). */
  end(): void;
}

/** A request body arriving block by block (RFC 7959 Block1). */
export interface Assembly {
  chunks: Uint8Array[];
  received: number;
  nextNum: number;
  szx: number;
  expires: number;
}

/** An answer served block by block (RFC 7959 Block2). */
export interface StoredAnswer {
  code: number;
  body: Uint8Array;
  eTag: Uint8Array;
  /** Extra options every block carries (Observe is only on the first). */
  expires: number;
  /** Called once the last block went out. */
  onComplete?: () => void;
}

/** A request handled now on this session: finished with 5.03 when the session ends. */
export interface InFlight {
  abandon(): void;
}

const OBSERVE_MODULO = 1 << 24;

/** One peer of the server: block-wise state, observation, push channel. */
export class ServerSession implements CoapServerSession {
  readonly id: string;
  readonly remoteAddress: string;
  readonly carrier: CoapCarrier;
  readonly closed: Promise<void>;
  readonly push: PushChannel;
  readonly assemblies = new Map<string, Assembly>();
  readonly answers = new Map<string, StoredAnswer>();
  readonly inFlight = new Set<InFlight>();
  readonly #abort = new AbortController();
  readonly #link: SessionLink;
  readonly #observeWaitMs: number;
  readonly #bodyTimeoutMs: number;
  #observation: { token: Uint8Array; seq: number } | undefined;
  #observers: (() => void)[] = [];
  #notifying: Promise<unknown> = Promise.resolve();
  #resolveClosed!: () => void;
  #ended = false;
  lastActivity = Date.now();

  constructor(init: {
    id: string;
    remoteAddress: string;
    carrier: CoapCarrier;
    link: SessionLink;
    observeWaitMs: number;
    bodyTimeoutMs: number;
  }) {
    this.id = init.id;
    this.remoteAddress = init.remoteAddress;
    this.carrier = init.carrier;
    this.#link = init.link;
    this.#observeWaitMs = init.observeWaitMs;
    this.#bodyTimeoutMs = init.bodyTimeoutMs;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.push = { id: this.id, send: (message) => this.notify(message), closed: this.closed };
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get observing(): boolean {
    return this.#observation !== undefined;
  }

  get ended(): boolean {
    return this.#ended;
  }

  limits(): { maxPayload: number; szx: number; bert: boolean } {
    return this.#link.limits();
  }

  /** Registers (or replaces) the announcement observation with the request's token (RFC 7641 section 4.1). */
  observe(token: Uint8Array): number {
    this.#observation = { token: token.slice(), seq: this.#observation?.seq ?? 1 };
    for (const wake of this.#observers.splice(0)) wake();
    return this.#observation.seq;
  }

  /** Removes the observation (deregistration, a Reset to a notification, a failed notification). */
  forget(token?: Uint8Array): void {
    if (this.#observation === undefined) return;
    if (token !== undefined && !sameBytes(token, this.#observation.token)) return;
    this.#observation = undefined;
    this.answers.delete(ANNOUNCEMENT_KEY);
  }

  notify(message: Uint8Array): Promise<void> {
    if (!(message instanceof Uint8Array) || message.byteLength === 0) {
      return Promise.reject(new TypeError('coap: notify needs a non-empty Uint8Array (the DER of a PKIMessage)'));
    }
    const run = this.#notifying.then(
      () => this.#notifyNow(message),
      () => this.#notifyNow(message),
    );
    this.#notifying = run.catch(() => undefined);
    return run;
  }

  async #notifyNow(message: Uint8Array): Promise<void> {
    if (this.#ended) throw new CoapTransportError(`coap: the session ${this.id} (${this.remoteAddress}) has ended`);
    const observation = this.#observation ?? (await this.#awaitObservation());
    observation.seq = (observation.seq + 1) % OBSERVE_MODULO;
    const { maxPayload, szx, bert } = this.#link.limits();
    const base: CoapOption[] = [
      { number: Option.observe, value: encodeUint(observation.seq) },
      { number: Option.contentFormat, value: encodeUint(CONTENT_FORMAT_PKIXCMP) },
    ];
    try {
      if (message.byteLength <= maxPayload) {
        await this.#link.notify(observation.token, CoapCode.content, base, message);
        return;
      }
      // A notification of several blocks: the first goes out, the peer fetches the rest (RFC 7959 section 2.6).
      const eTag = randomBytes(4);
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.answers.delete(ANNOUNCEMENT_KEY);
          reject(
            new CoapTransportError(`coap: ${this.remoteAddress} did not fetch the whole announcement within ${this.#bodyTimeoutMs} ms`),
          );
        }, this.#bodyTimeoutMs);
        timer.unref?.();
        this.answers.set(ANNOUNCEMENT_KEY, {
          code: CoapCode.content,
          body: message,
          eTag,
          expires: Date.now() + this.#bodyTimeoutMs,
          onComplete: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
      const first = firstBlock(message, maxPayload, szx, bert);
      await this.#link.notify(
        observation.token,
        CoapCode.content,
        [
          ...base,
          { number: Option.eTag, value: eTag },
          { number: Option.block2, value: encodeBlock(first.block) },
          { number: Option.size2, value: encodeUint(message.byteLength) },
        ],
        first.payload,
      );
      await done;
    } catch (error) {
      this.forget(observation.token);
      throw error;
    }
  }

  #awaitObservation(): Promise<{ token: Uint8Array; seq: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#observers = this.#observers.filter((w) => w !== wake);
        reject(
          new CoapTransportError(
            `coap: ${this.remoteAddress} does not observe announcements (no registration within ${this.#observeWaitMs} ms)`,
          ),
        );
      }, this.#observeWaitMs);
      timer.unref?.();
      const wake = (): void => {
        clearTimeout(timer);
        if (this.#observation) resolve(this.#observation);
        else reject(new CoapTransportError(`coap: the session ${this.id} has ended`));
      };
      this.#observers.push(wake);
    });
  }

  /** Drops block-wise state older than its deadline. */
  sweep(now: number): void {
    for (const [key, assembly] of this.assemblies) if (assembly.expires < now) this.assemblies.delete(key);
    for (const [key, answer] of this.answers) if (answer.expires < now && key !== ANNOUNCEMENT_KEY) this.answers.delete(key);
  }

  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const request of [...this.inFlight]) request.abandon();
    this.#abort.abort(new CoapTransportError(`coap: the session ${this.id} (${this.remoteAddress}) has ended`));
    this.#observation = undefined;
    for (const wake of this.#observers.splice(0)) wake();
    this.assemblies.clear();
    this.answers.clear();
    this.#link.end();
    this.#resolveClosed();
  }
}

/** The key of a notification body being fetched block by block. */
export const ANNOUNCEMENT_KEY = 'announcement';

/** The first block of a body to send in blocks: 1024-octet BERT units where allowed, else the block size. */
export function firstBlock(body: Uint8Array, maxPayload: number, szx: number, bert: boolean): { block: BlockValue; payload: Uint8Array } {
  const size = bert ? Math.max(1024, Math.floor(maxPayload / 1024) * 1024) : 1 << (szx + 4);
  return { block: { num: 0, more: body.byteLength > size, szx: bert ? 7 : szx }, payload: body.subarray(0, size) };
}
