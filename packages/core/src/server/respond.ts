import {
  encodePKIMessage,
  isCmpError,
  type CMPCertificate,
  type DecodedPKIMessage,
  type ErrorMsgContent,
  type InfoTypeAndValue,
  type PKIBody,
  type PKIHeader,
  type PKIMessage,
} from '@cmpkit/codec';
import { protect } from '@cmpkit/protection';
import { NULL_DN } from '../message/general-names.js';
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

/** The header of the response to `request` (or of an error to an undecodable message). */
function responseHeader(
  ctx: ServerContext,
  request: Pick<DecodedPKIMessage, 'header'> | undefined,
  now: Date,
  reply: Reply,
): { header: PKIHeader; senderNonce: Uint8Array } {
  const senderNonce = randomBytes(ctx.runtime.crypto, 16);
  const req = request?.header;
  const header: PKIHeader = {
    pvno: reply.pvno ?? (req && (req.pvno === 2 || req.pvno === 3) ? req.pvno : 2),
    sender: ctx.name,
    recipient: req?.sender ?? NULL_DN,
    messageTime: new Date(Math.floor(now.getTime() / 1000) * 1000),
    senderNonce,
  };
  if (req?.transactionID) header.transactionID = req.transactionID;
  if (req?.senderNonce) header.recipNonce = req.senderNonce;
  if (reply.generalInfo?.length) header.generalInfo = reply.generalInfo;
  return { header, senderNonce };
}

/** A response as sent: its bytes, the message they encode, and its senderNonce. */
export interface SentResponse {
  bytes: Uint8Array;
  message: PKIMessage;
  senderNonce: Uint8Array;
}

/** Builds, protects and encodes a response. */
export async function respond(
  ctx: ServerContext,
  request: Pick<DecodedPKIMessage, 'header'> | undefined,
  protection: ResponseProtection,
  reply: Reply,
): Promise<SentResponse> {
  const now = ctx.runtime.clock();
  const { header, senderNonce } = responseHeader(ctx, request, now, reply);
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
  return { bytes: encodePKIMessage(message), message, senderNonce };
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
