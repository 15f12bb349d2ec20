import { CoapCode } from '../coap-codes.js';
import type { CoapCmpHandler, CoapRequestContext } from '../coap-server-types.js';
import { ANNOUNCEMENT_SEGMENT, CMP_RESOURCE_TYPE, CONTENT_FORMAT_PKIXCMP } from '../constants.js';
import { BERT_SZX, blockSize, decodeBlock, encodeBlock, MAX_BLOCK_NUM, type BlockValue } from './block-option.js';
import { encodeUint, isCritical, Option, optionUint, optionValue, uriPath, type CoapOption } from './options.js';
import { ANNOUNCEMENT_KEY, firstBlock, type ServerSession, type StoredAnswer } from './server-session.js';
import { concatBytes, hex } from './bytes.js';
import { randomBytes } from './transmission.js';

/** A request as the resource sees it, whatever the carrier. */
export interface ResourceRequest {
  code: number;
  token: Uint8Array;
  options: CoapOption[];
  payload: Uint8Array;
}

/** The response the carrier sends back (same token). */
export interface ResourceResponse {
  code: number;
  options: CoapOption[];
  payload: Uint8Array;
}

export interface CmpResourceInit {
  handle: CoapCmpHandler;
  basePath: string[];
  maxMessageBytes: number;
  bodyTimeoutMs: number;
  /** Most block-wise bodies a session may have in progress at once; the oldest is dropped beyond. */
  maxBodiesPerSession: number;
  onError: ((error: unknown, context: CoapRequestContext) => void) | undefined;
}

/** Options the resource understands; an unknown critical option in a request is 4.02 (RFC 7252 section 5.4.1). */
const UNDERSTOOD = new Set<number>([
  Option.uriHost,
  Option.uriPort,
  Option.uriPath,
  Option.uriQuery,
  Option.contentFormat,
  Option.accept,
  Option.block1,
  Option.block2,
  Option.size1,
  Option.size2,
  Option.observe,
  Option.eTag,
  Option.requestTag,
]);

const text = (message: string): Uint8Array => new TextEncoder().encode(message);
const diagnostic = (code: number, message: string, options: CoapOption[] = []): ResourceResponse => ({
  code,
  options,
  payload: text(message),
});

/**
 * The CMP resource of RFC 9482 on one server, for every carrier: POST of a DER PKIMessage with
 * Content-Format 259 on the base path or `<base>/p/<label>`, answered 2.04 with the DER answer;
 * Block1 bodies reassembled per session, path and Request-Tag (never per Token: libcoap sends every
 * block with a new Token, as RFC 7959 allows) with the size checked before anything is buffered;
 * long answers served in Block2 blocks; announcement observation on `<base>/ann`; CoRE link-format
 * discovery on `/.well-known/core` (rt="ace.cmp").
 */
export class CmpResource {
  readonly #init: CmpResourceInit;

  constructor(init: CmpResourceInit) {
    this.#init = init;
  }

  async serve(request: ResourceRequest, session: ServerSession): Promise<ResourceResponse> {
    const { options } = request;
    if (optionValue(options, Option.proxyUri) !== undefined || optionValue(options, Option.proxyScheme) !== undefined) {
      return diagnostic(CoapCode.proxyingNotSupported, 'this server is no forward proxy');
    }
    const unknown = options.find((o) => isCritical(o.number) && !UNDERSTOOD.has(o.number));
    if (unknown !== undefined) return diagnostic(CoapCode.badOption, `option ${unknown.number} is not supported`);
    const path = uriPath(options);
    if (path.length === 2 && path[0] === '.well-known' && path[1] === 'core') return this.#discovery(request);
    const rest = below(path, this.#init.basePath);
    const query = options.some((o) => o.number === Option.uriQuery);
    if (rest === undefined || query) return diagnostic(CoapCode.notFound, 'no CMP resource here');
    const announcements = rest.length > 0 && rest[rest.length - 1] === ANNOUNCEMENT_SEGMENT;
    const label = announcements ? rest.slice(0, -1) : rest;
    if (!(label.length === 0 || (label.length === 2 && label[0] === 'p' && label[1] !== '')))
      return diagnostic(CoapCode.notFound, 'no CMP resource here');
    if (announcements) return this.#announcements(request, session);
    return this.#cmp(request, session, label.length === 0 ? '' : `/p/${label[1]}`);
  }

  #discovery(request: ResourceRequest): ResourceResponse {
    if (request.code !== CoapCode.get) return diagnostic(CoapCode.methodNotAllowed, 'GET only');
    const base = `/${this.#init.basePath.join('/')}`;
    const link = `<${base}>;rt="${CMP_RESOURCE_TYPE}";ct=${CONTENT_FORMAT_PKIXCMP}`;
    return { code: CoapCode.content, options: [{ number: Option.contentFormat, value: encodeUint(40) }], payload: text(link) };
  }

  /** `<base>/ann` (RFC 9482 section 2.5): GET with Observe registers, Block2 fetches the rest of a long notification. */
  #announcements(request: ResourceRequest, session: ServerSession): ResourceResponse {
    if (request.code !== CoapCode.get) return diagnostic(CoapCode.methodNotAllowed, 'announcements are observed with GET');
    const block2 = blockOption(request.options, Option.block2);
    if (block2 === null) return diagnostic(CoapCode.badOption, 'malformed Block2');
    if (block2 !== undefined && block2.num > 0) return this.#nextBlock(session, ANNOUNCEMENT_KEY, block2, request.options);
    const observe = optionUint(request.options, Option.observe);
    if (observe === 0) {
      const seq = session.observe(request.token);
      return { code: CoapCode.valid, options: [{ number: Option.observe, value: encodeUint(seq) }], payload: new Uint8Array(0) };
    }
    if (observe === 1) {
      session.forget(request.token);
      // Over UDP the deregistration is the peer's goodbye: its session ends (a connection ends by closing).
      if (session.carrier === 'udp' && session.inFlight.size === 0) queueMicrotask(() => session.close());
    }
    return { code: CoapCode.valid, options: [], payload: new Uint8Array(0) };
  }

  async #cmp(request: ResourceRequest, session: ServerSession, path: string): Promise<ResourceResponse> {
    const { options } = request;
    if (request.code !== CoapCode.post) return diagnostic(CoapCode.methodNotAllowed, 'CMP messages are sent with POST');
    const block1 = blockOption(options, Option.block1);
    const block2 = blockOption(options, Option.block2);
    if (block1 === null || block2 === null) return diagnostic(CoapCode.badOption, 'malformed Block1 or Block2');
    const key = `${path}|${hex(optionValue(options, Option.requestTag))}`;
    if (block1 === undefined && block2 !== undefined && block2.num > 0) return this.#nextBlock(session, key, block2, options, path);
    const format = optionUint(options, Option.contentFormat);
    if (format !== CONTENT_FORMAT_PKIXCMP) {
      return diagnostic(CoapCode.unsupportedContentFormat, `the Content-Format must be ${CONTENT_FORMAT_PKIXCMP} (application/pkixcmp)`);
    }
    const accept = optionUint(options, Option.accept);
    if (accept !== undefined && accept !== CONTENT_FORMAT_PKIXCMP)
      return diagnostic(CoapCode.notAcceptable, `answers are ${CONTENT_FORMAT_PKIXCMP} only`);
    const { maxMessageBytes } = this.#init;
    const tooLarge = (): ResourceResponse =>
      diagnostic(CoapCode.requestEntityTooLarge, `requests are limited to ${maxMessageBytes} octets`, [
        { number: Option.size1, value: encodeUint(maxMessageBytes) },
      ]);
    const size1 = optionUint(options, Option.size1);
    if (size1 !== undefined && size1 > maxMessageBytes) {
      session.assemblies.delete(key);
      return tooLarge();
    }
    let body: Uint8Array;
    const echo: CoapOption[] = [];
    if (block1 === undefined) {
      if (request.payload.byteLength > maxMessageBytes) return tooLarge();
      body = request.payload;
    } else {
      const step = this.#assemble(session, key, block1, request.payload);
      if (step.kind === 'tooLarge') return tooLarge();
      if (step.kind === 'refused') return step.response;
      if (step.kind === 'continue') {
        return {
          code: CoapCode.continue,
          options: [{ number: Option.block1, value: encodeBlock({ ...block1, more: true }) }],
          payload: new Uint8Array(0),
        };
      }
      body = step.body;
      echo.push({ number: Option.block1, value: encodeBlock({ ...block1, more: false }) });
    }
    if (body.byteLength === 0) return diagnostic(CoapCode.badRequest, 'an empty request: it must carry a PKIMessage');
    const answer = await this.#call(body, session, path);
    if (answer.code !== CoapCode.changed) return answer;
    return this.#answer(session, key, answer.payload, echo, block2);
  }

  #assemble(
    session: ServerSession,
    key: string,
    block: BlockValue,
    payload: Uint8Array,
  ): { kind: 'continue' } | { kind: 'done'; body: Uint8Array } | { kind: 'tooLarge' } | { kind: 'refused'; response: ResourceResponse } {
    const bert = block.szx === BERT_SZX;
    if (bert && !session.limits().bert)
      return { kind: 'refused', response: diagnostic(CoapCode.badOption, 'BERT is for CoAP over TCP and WebSocket only') };
    const unit = blockSize(block.szx);
    const offset = block.num * unit;
    if (block.num === 0) session.assemblies.delete(key);
    const assembly = block.num === 0 ? newAssembly(block, this.#init.bodyTimeoutMs) : session.assemblies.get(key);
    if (assembly === undefined || assembly.received !== offset) {
      session.assemblies.delete(key);
      return {
        kind: 'refused',
        response: diagnostic(CoapCode.requestEntityIncomplete, `block ${block.num} is not the next one of a body in progress`),
      };
    }
    if (block.more && (bert ? payload.byteLength === 0 || payload.byteLength % unit !== 0 : payload.byteLength !== unit)) {
      session.assemblies.delete(key);
      return { kind: 'refused', response: diagnostic(CoapCode.badRequest, `block ${block.num} does not have the block size`) };
    }
    if (offset + payload.byteLength > this.#init.maxMessageBytes) {
      session.assemblies.delete(key);
      return { kind: 'tooLarge' };
    }
    assembly.chunks.push(payload.slice());
    assembly.received += payload.byteLength;
    assembly.expires = Date.now() + this.#init.bodyTimeoutMs;
    if (block.more) {
      if (!session.assemblies.has(key)) {
        if (session.assemblies.size >= this.#init.maxBodiesPerSession) session.assemblies.delete(session.assemblies.keys().next().value!);
        session.assemblies.set(key, assembly);
      }
      return { kind: 'continue' };
    }
    session.assemblies.delete(key);
    return { kind: 'done', body: concatBytes(assembly.chunks) };
  }

  /** Calls the handler once per complete body; 5.00 when it fails, 5.03 when the session ends first. */
  async #call(body: Uint8Array, session: ServerSession, path: string): Promise<ResourceResponse> {
    const context: CoapRequestContext = {
      remoteAddress: session.remoteAddress,
      connectionId: session.id,
      path,
      signal: session.signal,
      push: session.push,
      carrier: session.carrier,
    };
    let abandon!: () => void;
    const abandoned = new Promise<ResourceResponse>((resolve) => {
      abandon = () => resolve(diagnostic(CoapCode.serviceUnavailable, 'the session ended'));
    });
    const entry = { abandon };
    session.inFlight.add(entry);
    const handled = (async (): Promise<ResourceResponse> => {
      try {
        const answer: unknown = await this.#init.handle(body, context);
        if (answer instanceof Uint8Array && answer.byteLength > 0) return { code: CoapCode.changed, options: [], payload: answer };
        this.#report(new TypeError('coap: the CMP handler resolved to something other than a non-empty Uint8Array'), context);
      } catch (error) {
        this.#report(error, context);
      }
      return diagnostic(CoapCode.internalServerError, 'internal server error');
    })();
    try {
      return await Promise.race([handled, abandoned]);
    } finally {
      session.inFlight.delete(entry);
    }
  }

  #report(error: unknown, context: CoapRequestContext): void {
    try {
      this.#init.onError?.(error, context);
    } catch {
      // onError must not throw; the peer still gets its 5.00.
    }
  }

  /** 2.04 with the DER answer, in one message or as the first of several Block2 blocks. */
  #answer(session: ServerSession, key: string, body: Uint8Array, echo: CoapOption[], requested: BlockValue | undefined): ResourceResponse {
    const limits = session.limits();
    // Early negotiation (RFC 7959 section 2.4): a Block2 in the request asks for that size or smaller.
    const szx = requested !== undefined && requested.szx < BERT_SZX ? Math.min(requested.szx, limits.szx) : limits.szx;
    const bert = limits.bert && (requested === undefined || requested.szx === BERT_SZX);
    const format = { number: Option.contentFormat, value: encodeUint(CONTENT_FORMAT_PKIXCMP) };
    const fits = bert || requested === undefined ? body.byteLength <= limits.maxPayload : body.byteLength <= blockSize(szx);
    if (fits) return { code: CoapCode.changed, options: [...echo, format], payload: body };
    const eTag = randomBytes(4);
    const stored: StoredAnswer = { code: CoapCode.changed, body, eTag, expires: Date.now() + this.#init.bodyTimeoutMs };
    if (session.answers.size >= this.#init.maxBodiesPerSession) session.answers.delete(session.answers.keys().next().value!);
    session.answers.set(key, stored);
    const first = firstBlock(body, limits.maxPayload, szx, bert);
    return {
      code: CoapCode.changed,
      options: [
        ...echo,
        format,
        { number: Option.eTag, value: eTag },
        { number: Option.block2, value: encodeBlock(first.block) },
        { number: Option.size2, value: encodeUint(body.byteLength) },
      ],
      payload: first.payload,
    };
  }

  /** Block `num` of a stored answer (RFC 7959 section 2.4). */
  #nextBlock(session: ServerSession, key: string, block: BlockValue, options: CoapOption[], path?: string): ResourceResponse {
    let stored = session.answers.get(key);
    let storedKey = key;
    if (stored === undefined && path !== undefined && optionValue(options, Option.requestTag) === undefined) {
      // A peer that tags its request bodies but not its Block2 follow-ups: the latest answer on the path.
      for (const [k, answer] of session.answers) if (k.startsWith(`${path}|`)) [storedKey, stored] = [k, answer];
    }
    if (stored === undefined) return diagnostic(CoapCode.requestEntityIncomplete, 'no answer is held for this request: send it again');
    const limits = session.limits();
    const bert = block.szx === BERT_SZX && limits.bert;
    const unit = blockSize(block.szx);
    const offset = block.num * unit;
    if (block.num > MAX_BLOCK_NUM || offset >= stored.body.byteLength)
      return diagnostic(CoapCode.badOption, `block ${block.num} is past the end of the answer`);
    const size = bert ? Math.max(unit, Math.floor(limits.maxPayload / unit) * unit) : unit;
    const payload = stored.body.subarray(offset, offset + size);
    const more = offset + payload.byteLength < stored.body.byteLength;
    stored.expires = Date.now() + this.#init.bodyTimeoutMs;
    if (!more) {
      session.answers.delete(storedKey);
      stored.onComplete?.();
    }
    return {
      code: stored.code,
      options: [
        { number: Option.contentFormat, value: encodeUint(CONTENT_FORMAT_PKIXCMP) },
        { number: Option.eTag, value: stored.eTag },
        { number: Option.block2, value: encodeBlock({ num: block.num, more, szx: bert ? BERT_SZX : Math.min(block.szx, 6) }) },
      ],
      payload,
    };
  }
}

function newAssembly(
  block: BlockValue,
  bodyTimeoutMs: number,
): { chunks: Uint8Array[]; received: number; nextNum: number; szx: number; expires: number } {
  return { chunks: [], received: 0, nextNum: 0, szx: block.szx, expires: Date.now() + bodyTimeoutMs };
}

/** The block option's value; undefined when absent, null when malformed. */
function blockOption(options: CoapOption[], number: number): BlockValue | undefined | null {
  const value = optionValue(options, number);
  if (value === undefined) return undefined;
  return decodeBlock(value) ?? null;
}

function below(path: string[], base: string[]): string[] | undefined {
  if (path.length < base.length || base.some((segment, i) => path[i] !== segment)) return undefined;
  return path.slice(base.length);
}
