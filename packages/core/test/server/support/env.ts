// A server engine under test with the helpers every wire-level spec uses: send a request and check
// the answer is bound to it and protected, open an ir transaction, build its follow-up header.
import { encodePKIMessage, type DecodedPKIMessage, type PKIMessage } from '@cmpkit/codec';
import type { CmpServer, ServerPolicy } from '@cmpkit/core';
import type { ProtectionCredential } from '@cmpkit/protection';
import { certBody, issuedCertificate } from './bodies.js';
import { newKeyPair, type TestPki } from './pki.js';
import { createTestIssuer, type TestIssuer, type TestIssuerOptions } from './test-issuer.js';
import {
  capturingLogger,
  exchangeRaw,
  expectBoundTo,
  MAC,
  makeServer,
  send,
  verifyResponse,
  type CapturingLogger,
  type RequestInit,
  type ServerSetup,
} from './wire.js';

export interface Env {
  server: CmpServer;
  issuer: TestIssuer;
  logger: CapturingLogger;
  /** Sends a request (MAC-protected unless told otherwise) and checks the response is bound to it and protected. */
  ask(init: Omit<RequestInit, 'now'>): Promise<{ request: PKIMessage; response: DecodedPKIMessage }>;
  /** Sends a message built (or broken) by the test, with the same checks as `ask`. */
  askMessage(request: PKIMessage): Promise<{ request: PKIMessage; response: DecodedPKIMessage }>;
}

export interface EnvOptions {
  policy?: ServerPolicy;
  issuer?: TestIssuerOptions;
  server?: Partial<ServerSetup>;
}

/** The engine on the test PKI and clock (see `makeServer`), with a capturing logger. */
export function createEnv(pki: TestPki, options: EnvOptions = {}): Env {
  const issuer = createTestIssuer(pki, options.issuer);
  const logger = capturingLogger();
  const server = makeServer({ pki, issuer, logger, ...(options.policy ? { policy: options.policy } : {}), ...options.server });
  return {
    server,
    issuer,
    logger,
    async ask(init) {
      const result = await send(server, { ...init, now: pki.clock() });
      if (result.request.header.transactionID && result.request.header.senderNonce) expectBoundTo(result.response, result.request);
      // The server has a signing key, so every answer is protected: MAC for a known shared secret, else signed.
      await verifyResponse(result.response, pki);
      return result;
    },
    async askMessage(request) {
      const response = await exchangeRaw(server, encodePKIMessage(request));
      if (request.header.transactionID && request.header.senderNonce) expectBoundTo(response, request);
      await verifyResponse(response, pki);
      return { request, response };
    },
  };
}

/** An ir accepted and awaiting certConf: its request, response and certificate. */
export async function openIr(e: Env, protection: ProtectionCredential = MAC, subject?: string) {
  const { request, response } = await e.ask({
    body: await certBody('ir', await newKeyPair(), subject ? { subject } : {}),
    protection,
  });
  const certificate = issuedCertificate(response, 'ip');
  return { request, response, certificate };
}

/** The header fields of the follow-up of an open transaction. */
export function followUp(open: { request: PKIMessage; response: DecodedPKIMessage }) {
  return { transactionID: open.request.header.transactionID!, recipNonce: open.response.header.senderNonce! };
}
