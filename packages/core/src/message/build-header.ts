import { PVNO, type GeneralName, type InfoTypeAndValue, type PKIHeader } from '@cmpkit/codec';
import { randomBytes } from './random.js';
import type { TransactionState } from './transaction-state.js';

/** What the next message of a transaction says about itself. */
export interface HeaderInit {
  sender: GeneralName;
  recipient: GeneralName;
  transaction: TransactionState;
  crypto: Crypto;
  now: Date;
  pvno?: number;
  generalInfo?: InfoTypeAndValue[];
  freeText?: string[];
  /** The senderNonce to send instead of a fresh one (an RA adding protection copies the wrapped message's). */
  senderNonce?: Uint8Array;
}

/**
 * The header of the next message in `transaction`: a fresh 128-bit senderNonce (unless given), the peer's last
 * nonce as recipNonce, messageTime without milliseconds. Records the new senderNonce in the state.
 */
export function buildHeader(init: HeaderInit): PKIHeader {
  const senderNonce = init.senderNonce ?? randomBytes(init.crypto, 16);
  const messageTime = new Date(Math.floor(init.now.getTime() / 1000) * 1000);
  const header: PKIHeader = {
    pvno: init.pvno ?? PVNO.cmp2000,
    sender: init.sender,
    recipient: init.recipient,
    messageTime,
    transactionID: init.transaction.transactionID,
    senderNonce,
  };
  if (init.transaction.lastPeerNonce) header.recipNonce = init.transaction.lastPeerNonce;
  if (init.freeText?.length) header.freeText = init.freeText;
  if (init.generalInfo?.length) header.generalInfo = init.generalInfo;
  init.transaction.lastSenderNonce = senderNonce;
  return header;
}
