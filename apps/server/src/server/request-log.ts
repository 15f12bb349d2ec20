import { decodePKIMessage, nameToString, pkiStatusName, type PKIMessage, type PKIStatusInfo } from '@cmpkit/codec';
import type { CmpHandler } from '@cmpkit/core';
import { parseCertificate } from '@cmpkit/protection';
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

/** The subject of a verified TLS client certificate, for the log. */
function tlsClientName(der: Uint8Array): string {
  try {
    return nameToString(parseCertificate(der).subject);
  } catch {
    return '(unparsable certificate)';
  }
}

/**
 * Wraps the engine's handler to log one line per exchange: request body type, transaction,
 * sender address, the verified TLS client certificate's subject and the outcome (`info`, or `warn` for an error answer).
 */
export function withRequestLog(handle: CmpHandler, logger: Logger, clock: () => Date): CmpHandler {
  return async (request, context) => {
    const started = clock().getTime();
    let type = 'undecodable';
    let transaction: string | undefined;
    try {
      const message = decodePKIMessage(request);
      type = message.body.type;
      transaction = hex(message.header.transactionID);
    } catch {
      // The engine answers it with an error message; the log line says so.
    }
    const response = await handle(request, context);
    let outcome: string;
    let failed = false;
    try {
      const message = decodePKIMessage(response);
      outcome = describeResponse(message);
      failed = message.body.type === 'error';
    } catch {
      outcome = 'undecodable response';
      failed = true;
    }
    (failed ? logger.warn : logger.info)(`${type} -> ${outcome}`, {
      transaction,
      peer: context?.remoteAddress,
      path: context?.path || undefined,
      tlsClient: context?.tlsPeerCertificate ? tlsClientName(context.tlsPeerCertificate) : undefined,
      ms: clock().getTime() - started,
    });
    return response;
  };
}
