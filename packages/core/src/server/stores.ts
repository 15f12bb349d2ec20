/**
 * Storage the server needs, defined by the server (STYLE.md P9). Memory implementations ship in
 * core for tests and single processes; apps provide persistent ones (SQLite, PostgreSQL).
 */

/** What the server remembers about an open transaction; JSON-serialisable. */
export interface TransactionRecord {
  /** The request type that opened it. */
  bodyType: string;
  /**
   * Where the transaction stands (`kemReady`: a genm gave the end entity a KEM ciphertext; its
   * request follows; `challenged`: popdecc sent). A finished one stays `done` for transactionTtl,
   * so that its transactionID is not taken again (transactionIdInUse).
   */
  state: 'pending' | 'awaitingConfirm' | 'done' | 'kemReady' | 'challenged';
  /** Our senderNonce in the last response (hex): the next request's recipNonce must equal it. */
  lastResponseNonce: string;
  /** The requester's kind and identity (hex of senderKID, or of the signer certificate's SHA-256). */
  requesterKey: string;
  /** The pvno used by the client. */
  pvno: number;
  /**
   * Certificates issued in this transaction and not yet confirmed: certReqId, DER (base64),
   * for central key generation the EnvelopedData of the private key (base64), and whether the
   * certificate differs from the request (grantedWithMods), and for indirect POP (encrCert) the
   * EnvelopedData of the certificate (base64) that goes out instead of the certificate.
   */
  certificates: { certReqId: number; certificate: string; envelopedKey?: string; encryptedCert?: string; modified?: boolean }[];
  /** The issuing chain (base64 DER) to send in extraCerts when a pending request completes. */
  extraCerts?: string[];
  /** caPubs (base64 DER) to send when a pending request completes. */
  caPubs?: string[];
  /** Pending issuance: the issuer's ticket per certReqId, and whether the certificate goes out encrypted (encrCert POP). */
  tickets: { certReqId: number; ticket: string; encrCert?: boolean }[];
  /** Latest time certConf is awaited (ms since epoch); then the certificates are revoked. */
  confirmDeadline?: number;
  /** The profile asked for. */
  profile?: string;
  /** For MAC transactions: the senderKID (hex) whose secret protects responses. */
  senderKID?: string;
  /** Whether implicit confirmation was asked for. */
  implicitConfirm?: boolean;
  /**
   * KEM-based MAC (RFC 9810 section 5.1.3.4): the KEM shared secret of this transaction (base64),
   * which verifies the end entity's KEM-MAC protected requests (`kemCertificate` set) or protects
   * the server's responses (the end entity encapsulated to the server's KEM key). It is removed
   * with the record; stores should keep records where secrets may be kept.
   */
  kemSecret?: string;
  /** The end entity's ML-KEM certificate (base64 DER) the shared secret was encapsulated to. */
  kemCertificate?: string;
  /** Whether responses in this transaction are KEM-MAC protected (the server decapsulated). */
  kemResponses?: boolean;
  /**
   * State `challenged` (popdecc sent, RFC 9810 section 5.2.8.3.3): the certification request
   * (base64 DER of the whole message), processed once the popdecr answers (decimal integers) match.
   */
  challenged?: { request: string; answers: string[] };
  /**
   * The protectionAlg OID of the request that opened the transaction: its follow-ups must keep the
   * protection (RFC 9810 section 5.1.3.1, RFC 9483 section 3.2).
   */
  protectionAlg?: string;
  /** For a finished transaction (`done`): its certificates were confirmed (a certConf again is certConfirmed). */
  confirmed?: boolean;
}

/** Open transactions by transactionID (hex). */
export interface TransactionStore {
  /** Inserts a new record; resolves false when the transactionID is already in use. */
  create(transactionId: string, record: TransactionRecord, ttlSeconds: number): Promise<boolean>;
  get(transactionId: string): Promise<TransactionRecord | undefined>;
  /** Replaces an existing record. */
  update(transactionId: string, record: TransactionRecord, ttlSeconds: number): Promise<void>;
  delete(transactionId: string): Promise<void>;
  /** Records whose confirmDeadline has passed (for revoking unconfirmed certificates). */
  expired(now: number): Promise<{ transactionId: string; record: TransactionRecord }[]>;
}

/** Seen senderNonces, for replay detection. */
export interface NonceStore {
  /** Records a nonce (hex); resolves false when it was seen within its lifetime. */
  remember(nonce: string, ttlSeconds: number): Promise<boolean>;
}

/** Shared secrets by reference (senderKID), for MAC-protected requests. */
export interface SecretStore {
  /** The secret of `senderKID`, or undefined when unknown (refused before any key derivation). */
  get(senderKID: Uint8Array): Promise<Uint8Array | string | undefined>;
}
