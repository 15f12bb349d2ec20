import type { DecodedPKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { bytesEqual, toHex } from '../message/bytes.js';
import type { TransactionState } from '../message/transaction-state.js';

/** What a response header is checked against. */
export interface ResponseExpectation {
  transaction: TransactionState;
  now: Date;
  /** Largest accepted |messageTime - now| in seconds; undefined skips the check. */
  messageTimeTolerance?: number;
}

/**
 * The header checks of RFC 9810 section 5.1.1 and RFC 9483 section 3.5 on a response: protocol
 * version, the transactionID of the request, recipNonce equal to the request's senderNonce, a
 * senderNonce of at least 128 bits, and messageTime close to our clock.
 *
 * @throws ProtocolError with unsupportedVersion, badRequest, badRecipientNonce, badSenderNonce or badTime.
 */
export function checkResponseHeader(response: DecodedPKIMessage, expected: ResponseExpectation): void {
  const h = response.header;
  if (h.pvno !== 2 && h.pvno !== 3) {
    throw new ProtocolError('unsupportedVersion', `response has pvno ${h.pvno}; cmpkit speaks cmp2000 (2) and cmp2021 (3)`);
  }
  if (!bytesEqual(h.transactionID, expected.transaction.transactionID)) {
    throw new ProtocolError(
      'badRequest',
      `response transactionID ${h.transactionID ? toHex(h.transactionID) : '(absent)'} is not the request's ${toHex(expected.transaction.transactionID)}`,
    );
  }
  if (!bytesEqual(h.recipNonce, expected.transaction.lastSenderNonce)) {
    throw new ProtocolError(
      'badRecipientNonce',
      `response recipNonce ${h.recipNonce ? toHex(h.recipNonce) : '(absent)'} is not the request's senderNonce`,
    );
  }
  if (!h.senderNonce || h.senderNonce.length < 16) {
    throw new ProtocolError('badSenderNonce', 'response senderNonce is missing or shorter than 128 bits');
  }
  if (expected.messageTimeTolerance !== undefined && h.messageTime) {
    const skew = Math.abs(h.messageTime.getTime() - expected.now.getTime()) / 1000;
    if (skew > expected.messageTimeTolerance) {
      throw new ProtocolError(
        'badTime',
        `response messageTime ${h.messageTime.toISOString()} is ${Math.round(skew)} s from our clock (tolerance ${expected.messageTimeTolerance} s)`,
      );
    }
  }
}
