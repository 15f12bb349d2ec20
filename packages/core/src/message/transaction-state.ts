/**
 * The identifiers that bind the messages of one transaction (RFC 9810 5.1.1): the transactionID,
 * the senderNonce of the last message we sent, and the peer's last senderNonce, which our next
 * message carries as recipNonce.
 */
export interface TransactionState {
  readonly transactionID: Uint8Array;
  /** Our senderNonce in the last message we sent. */
  lastSenderNonce?: Uint8Array;
  /** The peer's senderNonce in the last message we received. */
  lastPeerNonce?: Uint8Array;
}
