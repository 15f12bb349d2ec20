import { decodePKIMessage, pkiStatusName, type PKIMessage, type PKIStatusInfo } from '@cmpkit/codec';
import type { CmpHandler, RequestContext, ServerExchange } from '@cmpkit/core';
import type { Logger } from '../log/logger.js';

function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') : undefined;
}

function statusText(info: PKIStatusInfo): string {
  const bits = info.failInfo?.length ? ` ${info.failInfo.join(',')}` : '';
  return `${pkiStatusName(info.status)}${bits}`;
}

/** What a response says, in a few words: `ip accepted`, `error rejection badPOP`, `pollRep`. */
export function describeResponse(message: PKIMessage): string {
  const body = message.body;
  switch (body.type) {
    case 'ip':
    case 'cp':
    case 'kup':
    case 'ccp':
      return `${body.type} ${body.content.response.map((r) => statusText(r.status)).join('; ')}`;
    case 'rp':
      return `rp ${body.content.status.map(statusText).join('; ')}`;
    case 'error': {
      const text = body.content.pKIStatusInfo.statusString?.join(' ');
      return `error ${statusText(body.content.pKIStatusInfo)}${text ? ` (${text})` : ''}`;
    }
    default:
      return body.type;
  }
}

/** The engine's `exchange` (see `CmpServer.exchange`), possibly wrapped. */
export type ExchangeHandler = (request: Uint8Array, context?: RequestContext) => Promise<ServerExchange>;

function decodedOrUndefined(bytes: Uint8Array): PKIMessage | undefined {
  try {
    return decodePKIMessage(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Turns the engine's `exchange` into a transport handler that logs one line per exchange:
 * request body type, transaction, sender address and the outcome (`info`, or `warn` for an error
 * answer). The line is written from the messages the engine already decoded and built; only an
 * answer relayed as bytes (an RA passing a CA's answer through) is decoded here.
 */
export function withRequestLog(exchange: ExchangeHandler, logger: Logger, clock: () => Date): CmpHandler {
  return async (request, context) => {
    const started = clock().getTime();
    const result = await exchange(request, context);
    const reply = result.reply ?? decodedOrUndefined(result.response);
    const outcome = reply ? describeResponse(reply) : 'undecodable response';
    const failed = !reply || reply.body.type === 'error';
    (failed ? logger.warn : logger.info)(`${result.request?.body.type ?? 'undecodable'} -> ${outcome}`, {
      transaction: hex(result.request?.header.transactionID),
      peer: context?.remoteAddress,
      path: context?.path || undefined,
      ms: clock().getTime() - started,
    });
    return result.response;
  };
}
