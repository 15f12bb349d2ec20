// One engine under test with its issuer, and a way to send it hand-built requests whose every
// answer is checked to be bound to the request (transactionID, recipNonce) and protected.
import type { DecodedPKIMessage, PKIMessage } from '@cmpkit/codec';
import type { CmpServer, ServerPolicy } from '@cmpkit/core';
import type { TestPki } from './pki.js';
import { createTestIssuer, type TestIssuer, type TestIssuerOptions } from './test-issuer.js';
import { expectBoundTo, makeServer, send, verifyResponse, type RequestInit, type ServerSetup } from './wire.js';

/** A request and the decoded answer. */
export interface Exchange {
  request: PKIMessage;
  response: DecodedPKIMessage;
}

export interface WireEnv {
  issuer: TestIssuer;
  server: CmpServer;
  /** Sends a request (MAC-protected unless told otherwise) on the clock's time; checks binding and protection. */
  ask(init: Omit<RequestInit, 'now'>): Promise<Exchange>;
}

export interface WireEnvOptions {
  policy?: ServerPolicy;
  issuer?: TestIssuerOptions;
  init?: ServerSetup['init'];
}

export function wireEnv(pki: TestPki, now: () => Date, options: WireEnvOptions = {}): WireEnv {
  const issuer = createTestIssuer(pki, options.issuer);
  const server = makeServer({
    pki,
    issuer,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.init ? { init: options.init } : {}),
  });
  return {
    issuer,
    server,
    async ask(init) {
      const result = await send(server, { ...init, now: now() });
      expectBoundTo(result.response, result.request);
      await verifyResponse(result.response, pki);
      return result;
    },
  };
}
