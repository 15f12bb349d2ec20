import {
  encodePKIMessage,
  isCmpError,
  type CMPCertificate,
  type DecodedPKIMessage,
  type ErrorMsgContent,
  type GeneralName,
  type InfoTypeAndValue,
  type PKIBody,
  type PKIHeader,
  type PKIMessage,
} from '@cmpkit/codec';
import { protect } from '@cmpkit/protection';
import { directoryName, NULL_DN } from '../message/general-names.js';
import { randomBytes } from '../message/random.js';
import type { ResponseProtection } from './authenticate.js';
import type { ServerContext } from './server-context.js';

/** What a handler answers with. */
export interface Reply {
  body: PKIBody;
  generalInfo?: InfoTypeAndValue[];
  /** Certificates for extraCerts (the issuing chain). */
  extraCerts?: readonly Uint8Array[];
  /** pvno of the response when it must be cmp2021. */
  pvno?: number;
}

/**
 * header.sender of a response: the subject of the certificate that signs it (RFC 9483 section 3.1:
 * the receiver checks it against the CMP protection certificate), else the server's name.
 */
function responseSender(ctx: ServerContext, protection: ResponseProtection): GeneralName {
  return protection.kind === 'signature' ? directoryName(ctx.cache.parse(protection.credential.certificate).subject) : ctx.name;
}

/** The header of the response to `request` (or of an error to an undecodable message). */
function responseHeader(
  ctx: ServerContext,
  request: Pick<DecodedPKIMessage, 'header'> | undefined,
  now: Date,
  reply: Reply,
  sender: GeneralName,
): { header: PKIHeader; senderNonce: Uint8Array } {
  const senderNonce = randomBytes(ctx.runtime.crypto, 16);
  const req = request?.header;
  const header: PKIHeader = {
    pvno: reply.pvno ?? (req && (req.pvno === 2 || req.pvno === 3) ? req.pvno : 2),
    sender,
    recipient: req?.sender ?? NULL_DN,
    messageTime: new Date(Math.floor(now.getTime() / 1000) * 1000),
    senderNonce,
  };
  if (req?.transactionID) header.transactionID = req.transactionID;
  if (req?.senderNonce) header.recipNonce = req.senderNonce;
  if (reply.generalInfo?.length) header.generalInfo = reply.generalInfo;
  return { header, senderNonce };
}

/** Builds, protects and encodes a response. Returns it, its bytes and its senderNonce. */
export async function respond(
  ctx: ServerContext,
  request: Pick<DecodedPKIMessage, 'header'> | undefined,
  protection: ResponseProtection,
  reply: Reply,
): Promise<{ message: PKIMessage; bytes: Uint8Array; senderNonce: Uint8Array }> {
  const now = ctx.runtime.clock();
  const { header, senderNonce } = responseHeader(ctx, request, now, reply, responseSender(ctx, protection));
  let message: PKIMessage = { header, body: reply.body };
  if (reply.extraCerts?.length) message.extraCerts = reply.extraCerts.map((der): CMPCertificate => ({ der }));
  if (protection.kind !== 'none') {
    const p = ctx.init.protection;
    message = await protect(message, protection.credential, {
      crypto: ctx.runtime.crypto,
      cache: ctx.cache,
      keyDeriver: ctx.keyDeriver,
      macKeyCache: ctx.macKeys,
      ...(p.algorithms ? { algorithms: p.algorithms } : {}),
      ...(p.macBounds ? { macBounds: p.macBounds } : {}),
    });
  }
  return { message, bytes: encodePKIMessage(message), senderNonce };
}

/**
 * The error body for a failure (STYLE.md section 4, boundary rule): a CmpError becomes rejection
 * with its failInfo bits and its message; anything else becomes systemFailure with a generic text,
 * and the cause goes to the log only.
 */
export function errorBody(ctx: ServerContext, error: unknown): ErrorMsgContent {
  if (isCmpError(error)) {
    return {
      pKIStatusInfo: {
        status: 2,
        failInfo: error.failInfo.length ? [...error.failInfo] : ['badRequest'],
        statusString: [error.message],
      },
    };
  }
  ctx.runtime.logger.error('cmp: internal error', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return { pKIStatusInfo: { status: 2, failInfo: ['systemFailure'], statusString: ['internal error'] } };
}

/**
 * The answer to a request that failed: an `error` body, except for an rr, which is always
 * answered with an rp (RFC 9483 section 4.2), its one status the rejection.
 */
export function refusalReply(ctx: ServerContext, request: Pick<DecodedPKIMessage, 'body'> | undefined, error: unknown): Reply {
  const content = errorBody(ctx, error);
  if (request?.body.type === 'rr') return { body: { type: 'rp', content: { status: [content.pKIStatusInfo] } } };
  return { body: { type: 'error', content } };
}
