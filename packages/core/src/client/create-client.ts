import type { CertReqTemplateContent, CRLStatus, DecodedPKIMessage, InfoTypeAndValue } from '@cmpkit/codec';
import type { ClientInit } from './client-init.js';
import { resolveClientContext } from './client-context.js';
import { enroll, resumeEnrollment, tryEnroll } from './enroll.js';
import { relay } from './exchange.js';
import { sendNested, type NestedOptions } from './nested.js';
import type { EnrollmentState, EnrollOptions, EnrollResult, EnrollStep } from './enroll-options.js';
import {
  generalMessage,
  getCaCertificates,
  getCertReqTemplate,
  getCrls,
  getRootCaUpdate,
  type GeneralMessageOptions,
  type RootCaUpdate,
} from './general-message.js';
import { revoke, type RevokeOptions, type RevokeResult } from './revoke.js';
import { receiveAnnouncement, type AnnouncementEvent } from './announcements.js';

/** The end-entity client: every operation of RFC 9483 section 4 over one transport. */
export interface CmpClient {
  /** ir (default), cr or p10cr: a new certificate. */
  enroll(options: EnrollOptions): Promise<EnrollResult>;
  /**
   * The step form of {@link CmpClient.enroll} for event-loop hosts (OpenSSL's
   * `OSSL_CMP_try_certreq`): sends the request and resolves without sleeping, either done or
   * with the checkAfter the CA asked for and a `next()` that sends one pollReq. The certConf
   * goes with the step that receives the certificate. `enroll` runs the same steps.
   */
  tryEnroll(options: EnrollOptions): Promise<EnrollStep>;
  /**
   * Takes up an enrollment that waits for the CA from the `state` of one of its waiting steps
   * (kept across a restart, or handed to another process): returns a waiting step whose `next()`
   * sends the pollReq at once. The CA's transaction goes on where it stood.
   */
  resumeEnrollment(state: EnrollmentState, options?: { signal?: AbortSignal }): EnrollStep;
  /** kur: a new certificate for `oldCertificate`'s holder, signed with the current credential. */
  keyUpdate(options: EnrollOptions & { oldCertificate: Uint8Array }): Promise<EnrollResult>;
  /** rr: revokes a certificate. */
  revoke(options: RevokeOptions): Promise<RevokeResult>;
  /** genm: any general message; returns the genp's InfoTypeAndValues. */
  generalMessage(items: InfoTypeAndValue[], options?: GeneralMessageOptions): Promise<InfoTypeAndValue[]>;
  /** genm caCerts. */
  getCaCertificates(options?: GeneralMessageOptions): Promise<Uint8Array[]>;
  /** genm rootCaCert -> rootCaKeyUpdate, verified. */
  getRootCaUpdate(oldRoot: Uint8Array, options?: GeneralMessageOptions): Promise<RootCaUpdate | undefined>;
  /** genm certReqTemplate. */
  getCertReqTemplate(options?: GeneralMessageOptions): Promise<CertReqTemplateContent | undefined>;
  /** genm crlStatusList -> crls. */
  getCrls(status: CRLStatus[], options?: GeneralMessageOptions): Promise<Uint8Array[]>;
  /**
   * Verifies an announcement the CA pushed (DER), acts on it (a ckuann adds the new root to the
   * trust anchors; a revocationWarning for our certificate starts `autoRenew`), tells the
   * {@link CmpClient.onAnnouncement} listeners and resolves to the event. Rejects with a typed
   * error for anything not believed; then no listener hears of it.
   */
  receiveAnnouncement(message: Uint8Array): Promise<AnnouncementEvent>;
  /**
   * {@link CmpClient.receiveAnnouncement} for a transport's push callback
   * (`tcpTransport({ onPush: (m) => client.receivePush(m) })`): returns at once; what is refused
   * goes to the error listeners of {@link CmpClient.onAnnouncement} and to the log.
   */
  receivePush(message: Uint8Array): void;
  /** Registers listeners for verified announcements and for refused ones; returns the unsubscribe. */
  onAnnouncement(listener: (event: AnnouncementEvent) => void, onRefused?: (error: unknown, message: Uint8Array) => void): () => void;
  /** The anchors the client checks certificates with now (the configured ones, plus roots from ckuann). */
  trustAnchors(): readonly Uint8Array[];
  /** The certificate the client signs with now (after an automatic renewal, the new one). */
  currentCertificate(): Uint8Array | undefined;
  /**
   * Sends a complete message of someone else (an RA forwarding a request unchanged, RFC 9483
   * section 5.2.1) and resolves to the answer, unchanged.
   */
  forward(request: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /**
   * Wraps complete messages in one nested message with this client's protection (RFC 9483
   * section 5.2.2) and resolves to the inner responses of the verified nested answer.
   */
  sendNested(messages: readonly DecodedPKIMessage[], options?: NestedOptions): Promise<DecodedPKIMessage[]>;
}

/**
 * Creates an end-entity client (RFC 9483 section 4). Every exchange goes through one choke point
 * that protects, sends, verifies protection and checks transactionID, nonces, version and time;
 * any error body or violation becomes a typed error (`RemoteError`, `ProtocolError`,
 * `ProtectionError`, `DerError`, or the transport's error). Nothing is retried silently.
 *
 * @example
 * ```ts
 * const client = createClient({
 *   transport: httpTransport({ url: 'http://127.0.0.1:8080/.well-known/cmp' }),
 *   credential: { secret: 'perf-test-secret', senderKID: '3078' },
 * });
 * const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
 * const { certificate } = await client.enroll({ keyPair, subject: parseName('/CN=device-0001') });
 * ```
 */
export function createClient(init: ClientInit): CmpClient {
  const ctx = resolveClientContext(init);
  const listeners = new Set<{
    event: (event: AnnouncementEvent) => void;
    refused: ((error: unknown, message: Uint8Array) => void) | undefined;
  }>();
  const tell = (what: () => void): void => {
    try {
      what();
    } catch (error) {
      ctx.runtime.logger.error('cmp: an announcement listener threw', { error: String(error) });
    }
  };
  const receive = async (message: Uint8Array): Promise<AnnouncementEvent> => {
    const event = await receiveAnnouncement(ctx, message);
    for (const listener of [...listeners]) tell(() => listener.event(event));
    return event;
  };
  return {
    enroll: (options) => enroll(ctx, options),
    tryEnroll: (options) => tryEnroll(ctx, options),
    resumeEnrollment: (state, options) => resumeEnrollment(ctx, state, options),
    keyUpdate: (options) => enroll(ctx, { ...options, bodyType: 'kur' }),
    revoke: (options) => revoke(ctx, options),
    generalMessage: (items, options) => generalMessage(ctx, items, options),
    getCaCertificates: (options) => getCaCertificates(ctx, options),
    getRootCaUpdate: (oldRoot, options) => getRootCaUpdate(ctx, oldRoot, options),
    getCertReqTemplate: (options) => getCertReqTemplate(ctx, options),
    getCrls: (status, options) => getCrls(ctx, status, options),
    forward: (request, options) => relay(ctx, request, options?.signal),
    sendNested: (messages, options) => sendNested(ctx, messages, options),
    receiveAnnouncement: receive,
    receivePush(message) {
      receive(message).catch((error: unknown) => {
        ctx.runtime.logger.warn('cmp: announcement refused', { error: error instanceof Error ? error.message : String(error) });
        for (const listener of [...listeners]) tell(() => listener.refused?.(error, message));
      });
    },
    onAnnouncement(event, refused) {
      const listener = { event, refused };
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    trustAnchors: () => [...ctx.trustAnchors],
    currentCertificate: () => (ctx.credential && 'certificate' in ctx.credential ? ctx.credential.certificate : undefined),
  };
}
