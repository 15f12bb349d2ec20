import type { DecodedPKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { generalNamesEqual, isNullDn } from '../message/general-names.js';
import type { ServerContext } from './server-context.js';

/**
 * The cheap header checks, run before any cryptography (RFC 9810 5.1.1, RFC 9483 3.5): version,
 * transactionID and senderNonce present with at least 128 bits, messageTime within the window,
 * generalInfo entries with the syntax of their infoType. (A recipient other than our name is only
 * logged: peers spell names differently.)
 *
 * @throws ProtocolError unsupportedVersion, badRequest, badSenderNonce or badTime.
 */
export function checkRequestHeader(ctx: ServerContext, request: DecodedPKIMessage, now: Date): void {
  const h = request.header;
  if (h.pvno !== 2 && h.pvno !== 3) {
    throw new ProtocolError('unsupportedVersion', `pvno ${h.pvno} is not supported; use cmp2000 (2) or cmp2021 (3)`);
  }
  if (!h.transactionID || h.transactionID.length < 16) {
    throw new ProtocolError('badRequest', 'transactionID is missing or shorter than 128 bits');
  }
  if (!h.senderNonce || h.senderNonce.length < 16) {
    throw new ProtocolError('badSenderNonce', 'senderNonce is missing or shorter than 128 bits');
  }
  if (h.messageTime) {
    const skew = Math.abs(h.messageTime.getTime() - now.getTime()) / 1000;
    if (skew > ctx.policy.messageTimeWindow) {
      throw new ProtocolError('badTime', `messageTime ${h.messageTime.toISOString()} is ${Math.round(skew)} s from the server's clock`);
    }
  }
  const invalid = h.generalInfo?.find((itav) => itav.type === 'invalid');
  if (invalid?.type === 'invalid') {
    throw new ProtocolError(
      'badRequest',
      `generalInfo ${invalid.infoType} does not have the syntax of its infoType: ${invalid.error.message}`,
    );
  }
  if (!isNullDn(h.recipient) && !generalNamesEqual(h.recipient, ctx.name)) {
    // Peers spell names differently (PrintableString vs UTF8String); an RA may also forward. Note it only.
    ctx.runtime.logger.debug('cmp: request recipient is not the server name');
  }
}
