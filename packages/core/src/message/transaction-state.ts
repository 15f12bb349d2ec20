import type { InfoTypeAndValue } from '@cmpkit/codec';
import type { ProtectionCredential } from '@cmpkit/protection';

/**
 * The identifiers that bind the messages of one transaction (RFC 9810 5.1.1): the transactionID,
 * the senderNonce of the last message we sent, and the peer's last senderNonce, which our next
 * message carries as recipNonce.
 */
export interface TransactionState {
  readonly transactionID: Uint8Array;
  /**
   * KEM-based MAC of this transaction only (RFC 9810 section 5.1.3.4): the credential our
   * requests are protected with (we decapsulated the server's ciphertext), replacing the client's.
   */
  credential?: ProtectionCredential;
  /** The shared secret we encapsulated to the server's KEM key: its KEM-MAC protected responses verify with it. */
  kemSecret?: Uint8Array;
  /** generalInfo for the next request only (the KemCiphertextInfo of the first one). */
  pendingGeneralInfo?: InfoTypeAndValue[];
  /** Our senderNonce in the last message we sent. */
  lastSenderNonce?: Uint8Array;
  /** The peer's senderNonce in the last message we received. */
  lastPeerNonce?: Uint8Array;
}
