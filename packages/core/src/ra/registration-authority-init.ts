import type { DecodedPKIMessage, Name } from '@cmpkit/codec';
import type { CmpClient } from '../client/create-client.js';
import type { RuntimeInit } from '../runtime.js';
import type { Authorizer } from '../server/authorizer.js';
import type { Requester } from '../server/requester.js';
import type { KeyDerivationSettings, ServerInit, ServerPolicy, ServerProtection } from '../server/server-init.js';
import type { NonceStore, TransactionStore } from '../server/stores.js';

/**
 * How the RA passes an end entity's request to the CA (RFC 9483 section 5.2):
 * - `forward`: unchanged, and the answer back unchanged (5.2.1); one transaction end to end.
 * - `nested`: wrapped in a nested message with the RA's protection (5.2.2.1), batched with other
 *   end entities' requests when batching is on (5.2.2.2); the inner answer goes back unchanged.
 * - `reprotect`: the RA answers the end entity itself and asks the CA in a transaction of its own,
 *   protected by the RA, with the end entity's CertReqMsg and POP unchanged (5.2.3.1).
 * - `raVerified`: as `reprotect`, but the RA has checked the POP and sends raVerified, with the
 *   original request in generalInfo origPKIMessage (5.2.3.2). Needed when the template is amended.
 */
export type RaMode = 'forward' | 'nested' | 'reprotect' | 'raVerified';

/** Chooses the mode per request, e.g. by body type or requester. */
export type RaModeChooser = (request: DecodedPKIMessage, requester: Requester) => RaMode | Promise<RaMode>;

/** Nested batching (RFC 9483 section 5.2.2.2). */
export interface RaBatching {
  /** Send a batch when it holds this many requests. Default 10. */
  maxBatchSize?: number;
  /** Send a batch at the latest this long after its first request, ms. Default 50. */
  maxDelayMs?: number;
}

/** Delayed delivery (RFC 9483 section 5.1.5) in the `reprotect` and `raVerified` modes. */
export interface RaDelayedDelivery {
  /** How long a request waits for the CA before the RA answers waiting, ms. */
  waitMs: number;
  /** checkAfter the RA tells the end entity, seconds. Default 1. */
  checkAfter?: number;
}

/** Construction input of {@link createRegistrationAuthority}. */
export interface RegistrationAuthorityInit extends RuntimeInit {
  /** The RA's name: header.sender of its own answers. */
  name: Name;
  /**
   * Towards the end entities: how the RA authenticates them (its own shared secrets, trust
   * anchors for their certificates) and protects its own answers (its signer). The RA
   * authenticates every request before it passes it on.
   */
  protection: ServerProtection;
  /** The CA side: a client over any transport, with the RA's credential (an id-kp-cmcRA certificate). */
  upstream: CmpClient;
  /** Default `reprotect`. */
  mode?: RaMode | RaModeChooser;
  /**
   * RA policy: refuse (throw RequestRejectedError) or amend a certificate template, authorise
   * revocations. A template can be amended only in the `reprotect` mode (it is then sent as
   * raVerified) or `raVerified`; a forwarded or nested request can only be refused.
   */
  authorizer?: Authorizer;
  /** Batch nested requests; without it each request is wrapped on its own. */
  batching?: RaBatching;
  /** Answer waiting when the CA is slow or unreachable; without it the end entity waits (or gets systemUnavail). */
  delayedDelivery?: RaDelayedDelivery;
  stores?: { transactions?: TransactionStore; nonces?: NonceStore };
  /** The RA's policy towards end entities (see ServerPolicy). */
  policy?: ServerPolicy;
  /** Password-based key derivations of device requests: where they run and how many at once (see KeyDerivationSettings). */
  keyDerivation?: KeyDerivationSettings;
  /** Told about every message the RA answered, relayed ones too (see {@link ServerInit.onExchange}). */
  onExchange?: ServerInit['onExchange'];
}
