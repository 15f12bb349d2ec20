import { decodeBase64, decodePKIMessage, decodePKIMessageHeader, type DecodedPKIMessage, type PKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { toHex } from '../message/bytes.js';
import type { CmpHandler, RequestContext } from '../transport.js';
import { authenticate, fallbackResponseProtection, type Authenticated } from './authenticate.js';
import { checkRequestHeader } from './check-request.js';
import type { HandlerInput, HandlerOutcome } from './handler-input.js';
import { handleCertConf } from './handlers/cert-conf.js';
import { handleCertification } from './handlers/certification.js';
import { handleErrorMessage } from './handlers/error-message.js';
import { handleGeneralMessage } from './handlers/general-message.js';
import { handleNested, type InnerRequestProcessor } from './handlers/nested.js';
import { handlePollReq } from './handlers/poll.js';
import { handleRevocation } from './handlers/revocation.js';
import { errorBody, respond, type SentResponse } from './respond.js';
import { resolveServerContext, type ServerContext } from './server-context.js';
import type { ServerInit } from './server-init.js';

/** One request and its answer, as {@link CmpServer.exchange} reports them. */
export interface ServerExchange {
  /** The DER answer: what `handle` resolves to. */
  response: Uint8Array;
  /** The request as decoded, when it decoded. */
  request?: DecodedPKIMessage;
  /**
   * The answer as a message (before encoding), when the server built it; absent when the answer
   * was relayed as bytes (a registration authority passing a CA's answer through).
   */
  reply?: PKIMessage;
}

/** The PKI management entity: a handler for every transport, and housekeeping. */
export interface CmpServer {
  /** DER request in, DER response out; never rejects. */
  handle: CmpHandler;
  /**
   * Like `handle`, and tells what was exchanged: the decoded request and the answer as a
   * message, so that a caller logs or accounts for it without decoding either again. Never
   * rejects.
   */
  exchange(request: Uint8Array, context?: RequestContext): Promise<ServerExchange>;
  /**
   * Revokes certificates whose certConf did not arrive within confirmWaitTime and closes their
   * transactions. Call it periodically (the core runs no timers).
   */
  expireTransactions(): Promise<number>;
}

/** The header of a message whose whole does not decode, or undefined when the header does not either. */
function headerOnly(bytes: Uint8Array): Pick<DecodedPKIMessage, 'header'> | undefined {
  try {
    return { header: decodePKIMessageHeader(bytes) };
  } catch {
    return undefined;
  }
}

/** How deep nested messages may nest (an RA in front of an RA in front of the CA, ...). */
const MAX_NESTING = 4;

function dispatch(input: HandlerInput, processInner: InnerRequestProcessor): Promise<HandlerOutcome> {
  switch (input.request.body.type) {
    case 'nested':
      return handleNested(input, processInner);
    case 'ir':
    case 'cr':
    case 'kur':
    case 'p10cr':
    case 'ccr':
      return handleCertification(input);
    case 'certConf':
      return handleCertConf(input);
    case 'pollReq':
      return handlePollReq(input);
    case 'rr':
      return handleRevocation(input);
    case 'genm':
      return handleGeneralMessage(input);
    case 'error':
      return handleErrorMessage(input);
    default:
      throw new ProtocolError('badRequest', `${input.request.body.type} messages are not supported by this server`);
  }
}

/** Calls the `onAuthenticated` hook without waiting for it; its failures only reach the log. */
function notifyAuthenticated(ctx: ServerContext, auth: Authenticated, context: RequestContext): void {
  const hook = ctx.init.onAuthenticated;
  if (!hook || auth.requester.kind === 'unprotected') return;
  const logFailure = (error: unknown): void => ctx.runtime.logger.error('cmp: onAuthenticated failed', { error: String(error) });
  try {
    const result = hook(auth.requester, context);
    if (result) result.catch(logFailure);
  } catch (error) {
    logFailure(error);
  }
}

async function processRequest(ctx: ServerContext, bytes: Uint8Array, context: RequestContext, depth = 0): Promise<ServerExchange> {
  const { runtime } = ctx;
  let request: DecodedPKIMessage | undefined;
  let auth: Authenticated | undefined;
  try {
    request = decodePKIMessage(bytes);
    const now = runtime.clock();
    checkRequestHeader(ctx, request, now);
    auth = await authenticate(ctx, request, now);
    const nonce = toHex(request.header.senderNonce as Uint8Array);
    if (!(await ctx.nonces.remember(nonce, ctx.policy.messageTimeWindow * 2 + ctx.policy.transactionTtl))) {
      throw new ProtocolError('badSenderNonce', 'senderNonce was used before (replay)');
    }
    notifyAuthenticated(ctx, auth, context);
    const relayed = await ctx.init.relay?.(request, auth.requester, context);
    if (relayed) {
      runtime.logger.info('cmp: relayed', { request: request.body.type });
      return { response: relayed, request };
    }
    const transactionId = toHex(request.header.transactionID as Uint8Array);
    if (request.body.type === 'nested' && depth >= MAX_NESTING) throw new ProtocolError('badRequest', 'nested messages nest too deeply');
    const outcome = await dispatch(
      { ctx, request, auth, context, transactionId, now },
      async (inner) => (await processRequest(ctx, inner, context, depth + 1)).response,
    );
    const { bytes: response, message: reply, senderNonce } = await respond(ctx, request, auth.response, outcome.reply);
    if (outcome.record) {
      await ctx.transactions.update(transactionId, { ...outcome.record, lastResponseNonce: toHex(senderNonce) }, ctx.policy.transactionTtl);
    }
    runtime.logger.info('cmp: answered', { request: request.body.type, response: outcome.reply.body.type, transactionID: transactionId });
    return { response, request, reply };
  } catch (error) {
    runtime.logger.info('cmp: refused', {
      request: request?.body.type ?? '(undecodable)',
      error: error instanceof Error ? error.message : String(error),
    });
    // A message whose body does not decode is still answered to its header when that decodes.
    const answerTo = request ?? headerOnly(bytes);
    const protection = ctx.policy.sendUnprotectedErrors
      ? ({ kind: 'none' } as const)
      : (auth?.response ?? (await fallbackResponseProtection(ctx, answerTo, error).catch(() => ({ kind: 'none' as const }))));
    const reply = { body: { type: 'error' as const, content: errorBody(ctx, error) } };
    let answer: SentResponse;
    try {
      answer = await respond(ctx, answerTo, protection, reply);
    } catch (protectError) {
      runtime.logger.error('cmp: cannot protect the error response', { error: String(protectError) });
      answer = await respond(ctx, answerTo, { kind: 'none' }, reply);
    }
    return { response: answer.bytes, reply: answer.message, ...(request ? { request } : {}) };
  }
}

/**
 * Creates the server engine (STYLE.md P7): decode, header checks, protection, replay check,
 * a handler per body type, response protection, encode. `handle` always resolves to a DER
 * PKIMessage; any failure becomes an error message with PKIStatusInfo rejection and the
 * failure's failInfo bits, protected where the server can.
 *
 * @example
 * ```ts
 * const server = createServer({ name: parseName('/CN=My CA'), protection: { signer, secrets }, issuer });
 * http.createServer(toNodeListener(server.handle)).listen(8080);
 * ```
 */
export function createServer(init: ServerInit): CmpServer {
  const ctx = resolveServerContext(init);
  const exchange = async (request: Uint8Array, context: RequestContext = {}): Promise<ServerExchange> => {
    try {
      return await processRequest(ctx, request, context);
    } catch (error) {
      // Even building an unprotected error failed (e.g. no crypto): a minimal answer is still DER.
      ctx.runtime.logger.error('cmp: could not answer', { error: String(error) });
      const answer = await respond(ctx, undefined, { kind: 'none' }, { body: { type: 'error', content: errorBody(ctx, error) } });
      return { response: answer.bytes, reply: answer.message };
    }
  };
  return {
    handle: async (request, context) => (await exchange(request, context)).response,
    exchange,
    async expireTransactions() {
      const now = ctx.runtime.clock().getTime();
      const expired = await ctx.transactions.expired(now);
      for (const { transactionId, record } of expired) {
        for (const c of record.certificates) await ctx.init.issuer.confirm(decodeBase64(c.certificate), false, 'confirmWaitTime expired');
        await ctx.transactions.delete(transactionId);
      }
      return expired.length;
    },
  };
}
