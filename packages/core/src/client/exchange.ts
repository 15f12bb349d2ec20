import {
  decodePKIMessage,
  encodePKIMessage,
  type DecodedPKIMessage,
  type GeneralName,
  type InfoTypeAndValue,
  type PKIBody,
  type PKIBodyType,
  type PKIMessage,
} from '@cmpkit/codec';
import { protect, ProtectionError, verifyProtection, type VerifiedSender } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { RemoteError } from '../errors/remote-error.js';
import { buildHeader } from '../message/build-header.js';
import { NULL_DN, directoryName } from '../message/general-names.js';
import type { TransactionState } from '../message/transaction-state.js';
import { checkResponseHeader } from './check-response.js';
import { verifyOptionsOf, type ClientContext } from './client-context.js';

/** Per-exchange input of {@link exchange}. */
export interface ExchangeOptions {
  signal?: AbortSignal | undefined;
  /** generalInfo of the request (implicitConfirm, certProfile, ...). */
  generalInfo?: InfoTypeAndValue[];
  /** pvno of the request when it must differ from the client's. */
  pvno?: number;
  /** header.sender when the client has no fixed one (e.g. the template subject of an ir). */
  sender?: GeneralName;
  /** Hand an error body with status waiting back instead of throwing (non-certificate polling). */
  acceptWaiting?: boolean;
  /** Send without protection (the genm that asks for a KEM ciphertext, RFC 9810 Appendix E Figure 3). */
  unprotected?: boolean;
  /** extraCerts of the request. */
  extraCerts?: readonly Uint8Array[];
  /** senderNonce of the request instead of a fresh one (RFC 9483 5.2.2.1: added protection copies the wrapped message's). */
  senderNonce?: Uint8Array;
  /**
   * A response of another type than `expected` is an answer for someone else (the end entity whose
   * message an RA added protection to): it is returned after the header checks (transactionID,
   * recipNonce), its protection and body left to that party.
   */
  answerForOthers?: boolean;
}

/** A verified response. */
export interface Exchanged {
  message: DecodedPKIMessage;
  /** Who protected it; undefined for an accepted unprotected error. */
  verified: VerifiedSender | undefined;
}

const PKI_STATUS_WAITING = 3;
const PKI_STATUS_REJECTION = 2;

/**
 * A response that only refuses: an error body (not waiting), or an ip/cp/kup/rp whose every status is
 * rejection. With `unprotectedErrors` these are accepted without (valid) protection, as OpenSSL's
 * `-unprotected_errors` does; they grant nothing, so the worst a forger achieves is a refusal.
 */
function isNegative(body: PKIBody): boolean {
  switch (body.type) {
    case 'error':
      return body.content.pKIStatusInfo.status !== PKI_STATUS_WAITING;
    case 'ip':
    case 'cp':
    case 'kup':
      return body.content.response.length > 0 && body.content.response.every((r) => r.status.status === PKI_STATUS_REJECTION);
    case 'rp':
      return body.content.status.length > 0 && body.content.status.every((s) => s.status === PKI_STATUS_REJECTION);
    default:
      return false;
  }
}

/**
 * What a refusal says, as a RemoteError, before its protection is known to be good: an error body,
 * or an ip/cp/kup/rp that only rejects. Undefined for anything else.
 */
function refusalOf(body: PKIBody): RemoteError | undefined {
  if (body.type === 'error') {
    return RemoteError.fromStatusInfo(body.content.pKIStatusInfo, 'error', {
      ...(body.content.errorCode !== undefined ? { errorCode: body.content.errorCode } : {}),
      ...(body.content.errorDetails ? { errorDetails: body.content.errorDetails } : {}),
    });
  }
  if (!isNegative(body)) return undefined;
  const info =
    body.type === 'rp'
      ? body.content.status[0]
      : body.type === 'ip' || body.type === 'cp' || body.type === 'kup'
        ? body.content.response[0]?.status
        : undefined;
  return info ? RemoteError.fromStatusInfo(info, body.type) : undefined;
}

/**
 * A protection failure of a refusal keeps what the server said, marked as unverified: the
 * ProtectionError stands (nothing unverified is believed), its message ends with the server's
 * text and its cause is that text as a RemoteError.
 */
function withUnverifiedRefusal(error: ProtectionError, body: PKIBody): ProtectionError {
  const refusal = refusalOf(body);
  if (!refusal) return error;
  const own = error.message.replace(/^protection: /, '');
  return new ProtectionError(error.failInfo, `${own}; the server's answer, unverified: ${refusal.message}`, refusal);
}

/**
 * The single choke point of the client (STYLE.md P8): builds the header of the next message of
 * the transaction, protects, sends, decodes, verifies protection, checks the header against the
 * request, turns an error body into a RemoteError, and checks the body type is one expected.
 * No other code calls `transport.send`.
 */
export async function exchange(
  ctx: ClientContext,
  transaction: TransactionState,
  body: PKIBody,
  expected: readonly PKIBodyType[],
  options: ExchangeOptions = {},
): Promise<Exchanged> {
  const { runtime, init } = ctx;
  const sender = options.sender ?? (ctx.sender ? directoryName(ctx.sender) : NULL_DN);
  const generalInfo = [...(options.generalInfo ?? []), ...(transaction.pendingGeneralInfo ?? [])];
  delete transaction.pendingGeneralInfo;
  const header = buildHeader({
    sender,
    recipient: ctx.recipient,
    transaction,
    crypto: runtime.crypto,
    now: runtime.clock(),
    pvno: options.pvno ?? init.pvno ?? 2,
    ...(generalInfo.length ? { generalInfo } : {}),
    ...(options.senderNonce ? { senderNonce: options.senderNonce } : {}),
  });
  let request: PKIMessage = { header, body };
  if (options.extraCerts?.length) request.extraCerts = options.extraCerts.map((der) => ({ der }));
  const credential = options.unprotected ? undefined : (transaction.credential ?? ctx.credential);
  if (credential) {
    request = await protect(request, credential, {
      crypto: runtime.crypto,
      cache: ctx.cache,
      ...(init.algorithms ? { algorithms: init.algorithms } : {}),
      ...(init.macBounds ? { macBounds: init.macBounds } : {}),
    });
  }
  runtime.logger.debug('cmp: sending', { body: body.type });
  const responseBytes = await init.transport.send(encodePKIMessage(request), options.signal ? { signal: options.signal } : {});
  const message = decodePKIMessage(responseBytes, { maxBytes: init.maxResponseBytes ?? 1 << 20 });
  runtime.logger.debug('cmp: received', { body: message.body.type });
  const now = runtime.clock();

  // Within a KEM-based MAC transaction the responses are MACed with its shared secret.
  const trust = transaction.kemSecret ? { ...ctx.trust, kem: { sharedSecret: transaction.kemSecret } } : ctx.trust;
  const verify = (): Promise<VerifiedSender> => verifyProtection(message, trust, verifyOptionsOf(ctx, now));
  if (options.answerForOthers && !expected.includes(message.body.type)) {
    // An error we can verify refuses our own message; anything else is the other party's answer.
    const ours = message.body.type === 'error' && message.protection ? await verify().catch(() => undefined) : undefined;
    if (!ours) {
      checkResponseHeader(message, { transaction, now, messageTimeTolerance: ctx.messageTimeTolerance });
      return { message, verified: undefined };
    }
  }

  let verified: VerifiedSender | undefined;
  const mayBeUnprotected = init.unprotectedErrors === true && isNegative(message.body);
  if (message.protection) {
    try {
      verified = await verify();
    } catch (error) {
      if (!(error instanceof ProtectionError)) throw error;
      if (!mayBeUnprotected) throw withUnverifiedRefusal(error, message.body);
      runtime.logger.warn('cmp: accepting a negative response with invalid protection (unprotectedErrors)', { error: error.message });
    }
  } else if (!mayBeUnprotected) {
    throw withUnverifiedRefusal(new ProtectionError('badMessageCheck', `the ${message.body.type} response is not protected`), message.body);
  }

  if (message.body.type === 'error') {
    const info = message.body.content.pKIStatusInfo;
    const waiting = info.status === PKI_STATUS_WAITING && options.acceptWaiting;
    if (waiting || verified) {
      checkResponseHeader(message, { transaction, now, messageTimeTolerance: ctx.messageTimeTolerance });
    }
    if (!waiting) {
      throw RemoteError.fromStatusInfo(info, 'error', {
        ...(message.body.content.errorCode !== undefined ? { errorCode: message.body.content.errorCode } : {}),
        ...(message.body.content.errorDetails ? { errorDetails: message.body.content.errorDetails } : {}),
      });
    }
  } else {
    checkResponseHeader(message, { transaction, now, messageTimeTolerance: ctx.messageTimeTolerance });
    if (!expected.includes(message.body.type)) {
      throw new ProtocolError('badRequest', `expected ${expected.join(' or ')} but the response is ${message.body.type}`);
    }
  }
  if (message.header.senderNonce) transaction.lastPeerNonce = message.header.senderNonce;
  return { message, verified };
}

/**
 * Sends a message that is already complete (an RA forwarding an end entity's request unchanged,
 * RFC 9483 section 5.2.1) and resolves to the peer's answer, unchanged. The answer is decoded
 * only to make sure a PKIMessage of acceptable size goes back; its protection is for the end
 * entity to check.
 */
export async function relay(ctx: ClientContext, request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
  const response = await ctx.init.transport.send(request, signal ? { signal } : {});
  decodePKIMessage(response, { maxBytes: ctx.init.maxResponseBytes ?? 1 << 20 });
  return response;
}
