import {
  decodePKIMessage,
  encodePKIMessage,
  parseName,
  type CertResponse,
  type DecodedPKIMessage,
  type InfoTypeAndValue,
  type PKIBody,
  type PKIHeader,
  type PKIMessage,
} from '@cmpkit/codec';
import type { Transport } from '@cmpkit/core';
import { protect, type ProtectionCredential } from '@cmpkit/protection';

/** The shared secret and reference of the MAC tests. */
export const SECRET = 'client-test-secret';
export const REF = '4711';
export const MAC_CREDENTIAL: ProtectionCredential = {
  secret: SECRET,
  senderKID: REF,
  mac: { algorithm: 'PBMAC1', prf: 'SHA-256', mac: 'SHA-256', iterationCount: 1000 },
};
export const SERVER_NAME = parseName('/O=cmpkit test/CN=Test CMP Server');

/** How a scripted reply is protected. */
export type ReplyProtection = ProtectionCredential | 'none';

/** Everything a script may change about one reply. */
export interface ReplyOptions {
  /** Default: the server's default protection. */
  protection?: ReplyProtection;
  /** Changes to the header after it was derived from the request (set a field to undefined to drop it). */
  header?: Partial<Record<keyof PKIHeader, unknown>>;
  generalInfo?: InfoTypeAndValue[];
  extraCerts?: readonly Uint8Array[];
  /** Changes the DER after protection (tampering). */
  mangle?: (der: Uint8Array) => Uint8Array;
}

/** A step of the script: builds the answer to one request. */
export type Script = (request: DecodedPKIMessage, reply: Replier) => Promise<Uint8Array> | Uint8Array;

/** Builds protected replies to a request. */
export interface Replier {
  (body: PKIBody, options?: ReplyOptions): Promise<Uint8Array>;
}

/** A Transport whose answers come from a script, and what the client sent through it. */
export interface ScriptedServer {
  transport: Transport;
  /** Every request the client sent, decoded, in order. */
  requests: DecodedPKIMessage[];
  /** The script steps not yet used. */
  remaining(): number;
}

/** Init of {@link scriptedServer}. */
export interface ScriptedServerInit {
  /** The fake clock's time for messageTime. */
  clock: () => Date;
  /** Default protection of the replies. */
  protection: ReplyProtection;
  /** Default extraCerts of the replies (after the signer's). */
  extraCerts?: readonly Uint8Array[];
}

/**
 * A fake CMP server for client tests: each request is decoded and handed to the next step of
 * `script`, which returns the DER answer, usually built with the `reply` helper: a header derived
 * from the request (same pvno and transactionID, recipNonce = the request's senderNonce, a fresh
 * 16-byte senderNonce, messageTime from the clock), protected with the given credential. A
 * request beyond the script fails the test's transport with an Error.
 */
export function scriptedServer(init: ScriptedServerInit, script: readonly Script[]): ScriptedServer {
  const requests: DecodedPKIMessage[] = [];
  let nonce = 0;
  let step = 0;
  const transport: Transport = {
    async send(der, options) {
      options?.signal?.throwIfAborted();
      const request = decodePKIMessage(der.slice());
      requests.push(request);
      const next = script[step++];
      if (!next) throw new Error(`scripted server: unexpected request #${step} (${request.body.type})`);
      const reply: Replier = async (body, replyOptions = {}) => {
        nonce++;
        const header: PKIHeader = {
          pvno: request.header.pvno,
          sender: { type: 'directoryName', value: SERVER_NAME },
          recipient: request.header.sender,
          messageTime: new Date(Math.floor(init.clock().getTime() / 1000) * 1000),
          transactionID: request.header.transactionID!,
          senderNonce: Uint8Array.from({ length: 16 }, (_, i) => (nonce * 31 + i) & 0xff),
          recipNonce: request.header.senderNonce!,
        };
        if (replyOptions.generalInfo) header.generalInfo = replyOptions.generalInfo;
        for (const [key, value] of Object.entries(replyOptions.header ?? {})) {
          if (value === undefined) delete (header as unknown as Record<string, unknown>)[key];
          else (header as unknown as Record<string, unknown>)[key] = value;
        }
        let message: PKIMessage = { header, body };
        const extraCerts = replyOptions.extraCerts ?? init.extraCerts;
        if (extraCerts?.length) message.extraCerts = extraCerts.map((der) => ({ der }));
        const protection = replyOptions.protection ?? init.protection;
        if (protection !== 'none') message = await protect(message, protection);
        const out = encodePKIMessage(message);
        return replyOptions.mangle ? replyOptions.mangle(out) : out;
      };
      const answer = await next(request, reply);
      options?.signal?.throwIfAborted();
      return answer;
    },
  };
  return { transport, requests, remaining: () => script.length - step };
}

/** A CertRepMessage body (ip, cp, kup) with one response. */
export function certRep(type: 'ip' | 'cp' | 'kup', response: CertResponse, caPubs?: readonly Uint8Array[]): PKIBody {
  return { type, content: { response: [response], ...(caPubs?.length ? { caPubs: caPubs.map((der) => ({ der })) } : {}) } };
}

/** An accepted CertResponse carrying `certificate`. */
export function issued(certificate: Uint8Array, certReqId = 0): CertResponse {
  return { certReqId, status: { status: 0 }, certifiedKeyPair: { certOrEncCert: { type: 'certificate', value: { der: certificate } } } };
}

/** A CertResponse with status waiting. */
export function waiting(certReqId = 0): CertResponse {
  return { certReqId, status: { status: 3 } };
}

/** The pkiconf body. */
export const PKICONF: PKIBody = { type: 'pkiconf', content: null };
