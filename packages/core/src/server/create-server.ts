import { decodeBase64, decodePKIMessage, decodePKIMessageHeader, isCmpError, type DecodedPKIMessage, type PKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { StoreError } from '../errors/store-error.js';
import { toHex } from '../message/bytes.js';
import type { CmpHandler, RequestContext } from '../transport.js';
import { authenticate, fallbackResponseProtection, type Authenticated } from './authenticate.js';
import { checkRequestHeader } from './check-request.js';
import type { HandlerInput, HandlerOutcome } from './handler-input.js';
import { handleCertConf } from './handlers/cert-conf.js';
import { handleCertification, handlePopdecr } from './handlers/certification.js';
import { handleErrorMessage } from './handlers/error-message.js';
import { handleGeneralMessage } from './handlers/general-message.js';
import { addedProtectionOf, handleNested, type InnerRequestProcessor } from './handlers/nested.js';
import { handlePollReq } from './handlers/poll.js';
import { handleRevocation } from './handlers/revocation.js';
import { errorBody, refusalReply, respond } from './respond.js';
import { finishTransaction, isConfirmedTransaction } from './transaction-rules.js';
import { resolveServerContext, type ServerContext } from './server-context.js';
import type { ServerExchange } from './server-exchange.js';
import type { ServerInit } from './server-init.js';

/** The PKI management entity: a handler for every transport, and housekeeping. */
export interface CmpServer {
  /** DER request in, DER response out; never rejects. */
  handle: CmpHandler;
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

/**
 * Waits until what the request wrote is durable (decision 6), for the outermost request only (a
 * nested message's inner requests are flushed with it). A lost write fails the request.
 */
async function flushWrites(ctx: ServerContext, mark: number | undefined): Promise<void> {
  const durability = ctx.init.stores?.durability;
  if (!durability || mark === undefined) return;
  try {
    await durability.flush(mark);
  } catch (error) {
    throw isCmpError(error) ? error : new StoreError('flush', error);
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
    case 'popdecr':
      return handlePopdecr(input);
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

/** Calls the `onAuthenticated` hook and waits for it; a failure refuses the request (systemFailure: try again). */
async function notifyAuthenticated(ctx: ServerContext, auth: Authenticated, context: RequestContext): Promise<void> {
  const hook = ctx.init.onAuthenticated;
  if (!hook || auth.requester.kind === 'unprotected') return;
  try {
    const result = hook(auth.requester, context);
    if (result) await result;
  } catch (error) {
    ctx.runtime.logger.error('cmp: onAuthenticated failed', { error: String(error) });
    throw new ProtocolError('systemFailure', 'the server could not take this connection for announcements; try again', error);
  }
}

/** Tells the `onExchange` hook about an answered message; its failures only reach the log. */
function notifyExchange(ctx: ServerContext, exchange: Omit<ServerExchange, 'response'> & { response: () => PKIMessage }): void {
  const hook = ctx.init.onExchange;
  if (!hook) return;
  try {
    hook({ ...exchange, response: exchange.response() });
  } catch (error) {
    ctx.runtime.logger.error('cmp: onExchange failed', { error: String(error) });
  }
}

async function processRequest(ctx: ServerContext, bytes: Uint8Array, context: RequestContext, depth = 0): Promise<Uint8Array> {
  const { runtime } = ctx;
  let request: DecodedPKIMessage | undefined;
  let auth: Authenticated | undefined;
  const mark = depth === 0 ? ctx.init.stores?.durability?.writeMark() : undefined;
  const told = (response: () => PKIMessage, extra: { relayed?: boolean; error?: unknown; header?: DecodedPKIMessage['header'] }): void =>
    notifyExchange(ctx, {
      request,
      transactionID: (request?.header ?? extra.header)?.transactionID,
      response,
      requester: auth?.requester,
      ...('error' in extra ? { error: extra.error } : {}),
      relayed: extra.relayed ?? false,
      depth,
      context,
    });
  try {
    request = decodePKIMessage(bytes);
    const now = runtime.clock();
    checkRequestHeader(ctx, request, now);
    auth = await authenticate(ctx, request, now);
    const nonce = toHex(request.header.senderNonce as Uint8Array);
    // A message an RA added its protection to carries the senderNonce of the message it wraps,
    // whose own check below counts it (RFC 9483 section 5.2.2.1).
    const copiesItsNonce = addedProtectionOf(request) !== undefined;
    if (!copiesItsNonce && !(await ctx.nonces.remember(nonce, ctx.policy.messageTimeWindow * 2 + ctx.policy.transactionTtl))) {
      // A certConf sent again after its transaction confirmed the certificates (RFC 9483 4.1).
      if (request.body.type === 'certConf' && (await isConfirmedTransaction(ctx, toHex(request.header.transactionID as Uint8Array)))) {
        throw new ProtocolError('certConfirmed', 'the certificates of this transaction are already confirmed');
      }
      throw new ProtocolError('badSenderNonce', 'senderNonce was used before (replay)');
    }
    await notifyAuthenticated(ctx, auth, context);
    const relayed = await ctx.init.relay?.(request, auth.requester, context);
    if (relayed) {
      await flushWrites(ctx, mark);
      runtime.logger.info('cmp: relayed', { request: request.body.type });
      told(() => decodePKIMessage(relayed), { relayed: true });
      return relayed;
    }
    const transactionId = toHex(request.header.transactionID as Uint8Array);
    if (request.body.type === 'nested' && depth >= MAX_NESTING) throw new ProtocolError('badRequest', 'nested messages nest too deeply');
    const outcome = await dispatch({ ctx, request, auth, context, transactionId, now }, (inner) =>
      processRequest(ctx, inner, context, depth + 1),
    );
    // The inner message's own answer (added protection): the inner exchange was told already.
    if (outcome.answer) return outcome.answer;
    const { message, bytes: response, senderNonce } = await respond(ctx, request, auth.response, outcome.reply);
    if (outcome.record) {
      const { previousResponseNonce: _, ...record } = outcome.record;
      const previous = record.state === 'pending' && record.lastResponseNonce ? { previousResponseNonce: record.lastResponseNonce } : {};
      await ctx.transactions.update(
        transactionId,
        { ...record, ...previous, lastResponseNonce: toHex(senderNonce) },
        ctx.policy.transactionTtl,
      );
    }
    await flushWrites(ctx, mark);
    runtime.logger.info('cmp: answered', { request: request.body.type, response: outcome.reply.body.type, transactionID: transactionId });
    told(() => message, {});
    return response;
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
    const reply = refusalReply(ctx, request, error);
    let answer: { message: PKIMessage; bytes: Uint8Array };
    try {
      answer = await respond(ctx, answerTo, protection, reply);
    } catch (protectError) {
      runtime.logger.error('cmp: cannot protect the error response', { error: String(protectError) });
      answer = await respond(ctx, answerTo, { kind: 'none' }, reply);
    }
    told(() => answer.message, { error, ...(answerTo ? { header: answerTo.header } : {}) });
    return answer.bytes;
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
  return {
    handle: async (request, context = {}) => {
      try {
        return await processRequest(ctx, request, context);
      } catch (error) {
        // Even building an unprotected error failed (e.g. no crypto): a minimal answer is still DER.
        ctx.runtime.logger.error('cmp: could not answer', { error: String(error) });
        return (await respond(ctx, undefined, { kind: 'none' }, { body: { type: 'error', content: errorBody(ctx, error) } })).bytes;
      }
    },
    async expireTransactions() {
      const now = ctx.runtime.clock().getTime();
      const expired = await ctx.transactions.expired(now);
      for (const { transactionId, record } of expired) {
        for (const c of record.certificates) await ctx.init.issuer.confirm(decodeBase64(c.certificate), false, 'confirmWaitTime expired');
        await finishTransaction(ctx, transactionId, record);
      }
      return expired.length;
    },
  };
}
