import type { DecodedPKIMessage, Name } from '@cmpkit/codec';
import type { AlgorithmRegistry, MacBoundsOverrides, MacChoice, PasswordKeyDeriver, SignatureCredential } from '@cmpkit/protection';
import type { RuntimeInit } from '../runtime.js';
import type { RequestContext } from '../transport.js';
import type { Authorizer } from './authorizer.js';
import type { Issuer } from './issuer.js';
import type { Requester } from './requester.js';
import type { ServerExchange } from './server-exchange.js';
import type { NonceStore, SecretStore, TransactionStore } from './stores.js';
import type { WriteDurability } from './write-durability.js';

/** Server policy flags; every default is the strict choice (STYLE.md P7, OpenSSL's names). */
export interface ServerPolicy {
  /** Accept unprotected requests. Default false. */
  acceptUnprotected?: boolean;
  /**
   * Send error messages unprotected (OpenSSL's -send_unprotected_errors), for peers that cannot
   * verify the server's protection. Default false: errors are protected wherever the server can
   * (an error it cannot protect at all is still sent, unprotected).
   */
  sendUnprotectedErrors?: boolean;
  /** Accept POP raVerified from authorised RAs (signer with id-kp-cmcRA). Default false. */
  acceptRAVerified?: boolean;
  /** Grant implicitConfirm when the EE asks for it. Default false. */
  grantImplicitConfirm?: boolean;
  /** Largest |messageTime - now| accepted, seconds. Default 300. */
  messageTimeWindow?: number;
  /** Seconds the server waits for certConf before revoking. Default 300. */
  confirmWaitTime?: number;
  /** Accept rr protected by a shared secret (otherwise only the holder's or an RA's signature). Default false. */
  allowMacRevocation?: boolean;
  /** How long a transaction may stay open, seconds. Default 3600. */
  transactionTtl?: number;
  /**
   * The signer of a signature-protected request must send its certificate chain (up to, not
   * including, a trust anchor) in extraCerts, as RFC 9483 section 3.3 asks. Default true; false
   * also completes paths with `protection.untrusted`.
   */
  requireExtraCertsChain?: boolean;
  /**
   * Accept a kur that asks to certify the key of the certificate being updated (RFC 9483 section
   * 4.1.3 leaves this to the PKI). Default false: such a kur is refused with badCertTemplate.
   */
  allowKeyReuseOnUpdate?: boolean;
}

/** The request types an {@link ExternalTrust} may be accepted for. */
export type ExternalTrustRequest = 'ir' | 'cr' | 'kur' | 'p10cr' | 'rr' | 'genm';

/**
 * Trust anchors of another PKI for some request types. A request under them is a requester with
 * `external: true`: not looked up among the CA's revoked certificates (the serial numbers are
 * another CA's), and not a recipient of announcements.
 */
export interface ExternalTrust {
  /** The root certificates (DER). */
  anchors: readonly Uint8Array[];
  /** The request bodies a signature under them may protect. */
  requests: readonly ExternalTrustRequest[];
}

/** How the server authenticates requests and protects responses. */
export interface ServerProtection {
  /**
   * The server's signing credential (its CMP certificate and key): protects responses to
   * signature-protected requests, and to MAC-protected ones when `macResponses` is 'signature'.
   */
  signer?: SignatureCredential;
  /** Shared secrets by senderKID for MAC-protected requests. */
  secrets?: SecretStore;
  /**
   * MAC for responses to MAC-protected requests (with the request's secret). Default: the request's
   * own algorithm and parameters, so a PasswordBasedMac peer (OpenSSL 3.0) gets PasswordBasedMac.
   */
  mac?: MacChoice;
  /** Answer MAC-protected requests with a MAC (default) or with the signer's signature. */
  macResponses?: 'mac' | 'signature';
  /** Trust anchors for signature-protected requests (the PKI's own CA certificates). */
  trustAnchors?: readonly Uint8Array[];
  /** Anchors accepted for ir (and its certConf/pollReq) only: manufacturer (IDevID) certificates, RFC 9483 section 4.1.1. */
  externalAnchors?: readonly Uint8Array[];
  /**
   * Anchors of other PKIs accepted for the listed request types (and the certConf, pollReq and
   * error of their transactions): an existing device PKI whose certificates sign cr, p10cr, genm
   * or rr, or a manufacturer PKI for more than ir. `externalAnchors` is `{ anchors, requests: ['ir'] }`.
   */
  externalTrust?: readonly ExternalTrust[];
  /** Further intermediates for path building (used for requests only with `policy.requireExtraCertsChain: false`). */
  untrusted?: readonly Uint8Array[];
  /** Bounds on the MAC parameters requests may use (checked before any derivation). */
  macBounds?: MacBoundsOverrides;
  /** Algorithms known and allowed. */
  algorithms?: AlgorithmRegistry;
  /**
   * The server's ML-KEM key and certificate (RFC 9810 section 5.1.3.4, Appendix E Figure 4): a
   * request that carries a KemCiphertextInfo encapsulated to it gets its responses, for the rest
   * of the transaction, protected by KEM-based MAC. End entities get the certificate out of band
   * or with caCerts.
   */
  kem?: { privateKey: CryptoKey; certificate: Uint8Array };
  /**
   * Answer an unprotected genm KemCiphertextInfo from an end entity with an ML-KEM certificate
   * (first extraCerts entry, validated against `trustAnchors` with keyUsage keyEncipherment): the
   * genp carries a ciphertext, and the following requests of that transaction are accepted under
   * KEM-based MAC with its shared secret (Appendix E Figure 3). Default false.
   */
  kemClients?: boolean;
}

/**
 * Hands an authenticated request on instead of answering it here: a registration authority
 * forwarding it unchanged or wrapped in nested (RFC 9483 sections 5.2.1, 5.2.2). Resolves to the
 * DER answer, which goes back unchanged, or to undefined to have the server process the request.
 * Called after the header, protection and replay checks.
 */
export type RequestRelay = (request: DecodedPKIMessage, requester: Requester, context: RequestContext) => Promise<Uint8Array | undefined>;

/**
 * Where and how many password-based key derivations (PasswordBasedMac, PBMAC1, PWRI) run. Their
 * cost is chosen by the peer (within `macBounds`) before it is authenticated, so they are the
 * one step of a request that could hold the server: run them elsewhere and cap them.
 */
export interface KeyDerivationSettings {
  /**
   * Runs the derivations. Default: in the calling thread (`inlineKeyDeriver` of
   * `@cmpkit/protection`), which blocks the event loop for the duration of each derivation
   * where the digest is synchronous; on Node pass `createWorkerKeyDeriver()` of
   * `@cmpkit/node-crypto`.
   */
  deriver?: PasswordKeyDeriver;
  /** Derivations running at once. Default 2. */
  maxConcurrent?: number;
  /** Derivations waiting for a turn; beyond this a request is refused with systemUnavail. Default 256. */
  maxQueued?: number;
}

/** Construction input of {@link createServer}. */
export interface ServerInit extends RuntimeInit {
  /**
   * The server's name: header.sender of MAC-protected and unprotected responses, and the recipient
   * requests may name. Signed responses name the subject of the signer certificate (RFC 9483
   * section 3.1), whatever this says.
   */
  name: Name;
  protection: ServerProtection;
  issuer: Issuer;
  authorizer?: Authorizer;
  /**
   * Defaults to in-memory stores. `durability`: the store whose writes must be flushed before an
   * answer leaves (see {@link WriteDurability}); a failed flush is answered with systemFailure.
   */
  stores?: { transactions?: TransactionStore; nonces?: NonceStore; durability?: WriteDurability };
  policy?: ServerPolicy;
  /** Password-based key derivations: where they run and how many at once. */
  keyDerivation?: KeyDerivationSettings;
  /**
   * RFC 5646 language tags of the texts the server writes (statusString, reasons), most preferred
   * first: genm suppLangTags is answered with the first offered tag that one of them matches
   * (RFC 9810 section 5.3.19.13). Default `['en']`.
   */
  languageTags?: readonly string[];
  /** Requests this returns an answer for are not processed here (see {@link RequestRelay}). */
  relay?: RequestRelay;
  /**
   * Told about every request whose protection verified (and that is no replay), with the
   * transport's context, before the request is handled. An announcer uses it to learn on which
   * connection (`context.push`) an end entity can be reached. It is awaited: a rejection or a
   * throw is logged and the request refused with systemFailure (the client may try again), so an
   * end entity is not answered as if it could be reached when recording that failed.
   */
  onAuthenticated?: (requester: Requester, context: RequestContext) => void | Promise<void>;
  /**
   * Told about every message the engine answered, once its response is built and before `handle`
   * resolves: the request, the response, the requester and the failure behind an error answer
   * (see {@link ServerExchange}). Messages inside a nested one are told too, with `depth` 1 and
   * more. For metrics and logs: it is called synchronously, its return value is ignored, and a
   * throw is logged and changes nothing for the request.
   */
  onExchange?: (exchange: ServerExchange) => void;
}
