import { oids, type DecodedPKIMessage, type PKIBodyType } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { generalNamesEqual, isNullDn } from '../message/general-names.js';
import { checkGeneralInfo } from './check-general-info.js';
import type { ServerContext } from './server-context.js';

/**
 * The bodies that continue a transaction another message opened (RFC 9483 section 3.1: every
 * message but the first carries the previous message's senderNonce as recipNonce). Every other
 * request opens a transaction of its own.
 */
const FOLLOW_UP_BODIES: ReadonlySet<PKIBodyType> = new Set(['certConf', 'pollReq', 'error', 'popdecr']);

/** True for a request that continues a transaction (certConf, pollReq, error, popdecr). */
export function isFollowUp(type: PKIBodyType): boolean {
  return FOLLOW_UP_BODIES.has(type);
}

/**
 * The cheap header checks, run before any cryptography (RFC 9810 5.1.1, RFC 9483 sections 3.1 and
 * 3.5): version, transactionID present (badDataFormat) with at least 128 bits (badRequest),
 * senderNonce of 128 bits, no recipNonce in the first message of a transaction
 * (badRecipientNonce; follow-ups are checked against the transaction), messageTime within the
 * window, and the generalInfo rules. (A recipient other than our name is only logged: peers spell
 * names differently.)
 *
 * @throws ProtocolError unsupportedVersion, badDataFormat, badRequest, badSenderNonce,
 *   badRecipientNonce or badTime.
 */
export function checkRequestHeader(ctx: ServerContext, request: DecodedPKIMessage, now: Date): void {
  const h = request.header;
  if (h.pvno !== 2 && h.pvno !== 3) {
    throw new ProtocolError('unsupportedVersion', `pvno ${h.pvno} is not supported; use cmp2000 (2) or cmp2021 (3)`);
  }
  if (!h.transactionID) throw new ProtocolError('badDataFormat', 'transactionID is missing');
  if (h.transactionID.length < 16) throw new ProtocolError('badRequest', 'transactionID is shorter than 128 bits');
  if (!h.senderNonce || h.senderNonce.length < 16) {
    throw new ProtocolError('badSenderNonce', 'senderNonce is missing or shorter than 128 bits');
  }
  // A KEM-MAC protected request continues the exchange its genm KemCiphertextInfo opened (RFC 9810
  // Appendix E, Figure 3); openTransaction checks its recipNonce against that genp.
  const continuesKemExchange = h.protectionAlg?.algorithm === oids.id_KemBasedMac;
  if (h.recipNonce && !isFollowUp(request.body.type) && !continuesKemExchange) {
    throw new ProtocolError('badRecipientNonce', `a ${request.body.type} opens a transaction and must not carry a recipNonce`);
  }
  if (h.messageTime) {
    const skew = Math.abs(h.messageTime.getTime() - now.getTime()) / 1000;
    if (skew > ctx.policy.messageTimeWindow) {
      throw new ProtocolError('badTime', `messageTime ${h.messageTime.toISOString()} is ${Math.round(skew)} s from the server's clock`);
    }
  }
  checkGeneralInfo(request);
  if (!isNullDn(h.recipient) && !generalNamesEqual(h.recipient, ctx.name)) {
    // Peers spell names differently (PrintableString vs UTF8String); an RA may also forward. Note it only.
    ctx.runtime.logger.debug('cmp: request recipient is not the server name');
  }
}
